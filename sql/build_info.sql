-- What made this build: version, commit, when its data stands, codebook version, inputs and parameters.
SELECT * FROM build_info;
