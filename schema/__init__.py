"""The codebook (one declaration of every column), the vocabularies, and the
pandera and Arrow schemas generated from them."""
