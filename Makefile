# simvec: two commands on a fresh machine.
#   make demo   installs everything into .venv and compares two keyword lists on GloVe 6B 50d
#   make test   installs everything into .venv and runs the test suite
#   make fuzz   the long fuzz profile (SIMVEC_FUZZ=long, 10,000 cases per reader; FUZZ_CASES=N),
#               counts in fuzz-report.txt (docs/reliability.md records the last run)
#   make zh-demo  Chinese keyword similarity end to end on ../shared/data/zh (docs/chinese.md)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.simvec-installed

.PHONY: install demo test test-all bench clean fuzz zh-demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(BIN)/simvec warmup --quiet  # compile the numba kernels once, now (docs/benchmarks.md)
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/simvec similar "machine learning, neural network" "deep learning, artificial intelligence"

zh-demo: install
	PYTHON=$(BIN)/python bash examples/chinese.sh

test: install
	$(BIN)/python -m pytest -q

test-all: install
	$(BIN)/python -m pytest -q -m ""

bench: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python bench/load.py
	$(BIN)/python bench/most_similar.py
	$(BIN)/python bench/evaluate.py
	$(BIN)/python bench/all_pairs.py

clean:
	rm -rf $(VENV) build *.egg-info

# every fuzzed reader (tests/test_fuzz_readers.py: vector files, fastText .bin, pair files,
# collections; tests/test_fuzz_training.py: corpora, checkpoints, ELMo, classification tables,
# run folders), FUZZ_CASES each, under an address-space limit so that a blow-up fails its case
# (MemoryError) instead of meeting the OOM killer; one line per reader goes to FUZZ_REPORT
FUZZ_CASES  ?= 10000
FUZZ_REPORT ?= fuzz-report.txt
FUZZ_MEMORY_KB ?= 8000000
fuzz: install
	rm -f $(FUZZ_REPORT)
	ulimit -v $(FUZZ_MEMORY_KB) && \
	SIMVEC_FUZZ=long SIMVEC_FUZZ_EXAMPLES=$(FUZZ_CASES) SIMVEC_FUZZ_REPORT=$(abspath $(FUZZ_REPORT)) \
		$(BIN)/python -m pytest -q -p no:cacheprovider $(wildcard tests/test_fuzz_*.py); \
		status=$$?; cat $(FUZZ_REPORT); exit $$status
