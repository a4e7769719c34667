#!/usr/bin/env bash
# Chinese keyword similarity end to end (docs/chinese.md): segment the shared Chinese corpus,
# train word2vec (simvec train --tokenizer jieba) and a mini ELMo biLM on it, compare Chinese
# keyword lists with both, evaluate the vectors on wordsim-240.
#
#   bash examples/chinese.sh            # or: make zh-demo
#
# Environment: PYTHON (default .venv/bin/python, else python3), DATA (../shared/data/zh),
# OUT (build/zh), LINES (only the first N lines of each novel and N reviews: a quick slice),
# ELMO_TOKENS (ELMo training tokens, default 120000), THREADS (word2vec threads, default 1:
# bit-reproducible with --seed; 2 trains faster, not reproducibly).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
DATA=${DATA:-../shared/data/zh}
OUT=${OUT:-build/zh}
ELMO_TOKENS=${ELMO_TOKENS:-120000}
THREADS=${THREADS:-1}
SIMVEC="$PYTHON -m simvec"
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*" >&2; }
clock() { local t0=$SECONDS; "$@"; printf '   (%d s)\n' $((SECONDS - t0)) >&2; }

step "0. training text: the four novels + the hotel reviews; jieba-segmented sentences for ELMo"
clock $PYTHON examples/zh_corpus.py "$DATA" "$OUT" ${LINES:+--lines "$LINES"}

step "a. word2vec: CBOW, 100 dimensions, 5 epochs, segmented by jieba while reading"
clock $SIMVEC train "$OUT/text" -o "$OUT/zh-w2v.txt" --tokenizer jieba --cbow \
    --vector-size 100 --window 5 --min-count 3 --epochs 5 --threads "$THREADS" --seed 1 \
    --no-progress -q

step "b. mini ELMo biLM (examples/zh-elmo-tiny.json) on the segmented sentences"
elmo_train() {
    $PYTHON -m simvec.elmo.train "$OUT/zh-seg.txt" --out "$OUT/elmo" \
        --options examples/zh-elmo-tiny.json --stride 10 --max-tokens "$ELMO_TOKENS" \
        --heldout-tokens 5000 --threads 1 --optimizer adam --max-vocab-size 10000 \
        --full-softmax-max-vocab 10000 --checkpoint-every 0 --seed 0 \
        > "$OUT/elmo-report.json" 2> "$OUT/elmo.log"
}
clock elmo_train
grep -E '"(heldout_perplexity_[a-z]+|tokens_per_s|seconds)"' "$OUT/elmo-report.json" >&2

ELMO="elmo:$OUT/elmo/options.json,$OUT/elmo/weights.hdf5"
step "c. compare keyword lists (full-width separators) with word2vec and with ELMo"
t0=$SECONDS
for pair in "酒店，房间，服务|宾馆，前台，早餐" "酒店，房间，服务|宝玉，黛玉，贾母" \
             "曹操，刘备，诸葛亮|孙权，关羽，赵云" "曹操，刘备，诸葛亮|房间，早餐，前台"; do
    a=${pair%%|*}; b=${pair#*|}
    echo "$a  vs  $b"
    printf '  word2vec %s\n' "$($SIMVEC similar "$a" "$b" -v "$OUT/zh-w2v.txt" --tokenizer jieba \
        -q -f csv | sed -n 2p | cut -d, -f2,3)"
    printf '  ELMo     %s\n' "$($SIMVEC similar "$a" "$b" --model "$ELMO" --tokenizer jieba \
        -q -f csv | sed -n 2p | cut -d, -f2,3)"
done
echo "GloVe 6B (English) on a Chinese pair:"
$SIMVEC similar "机器学习，神经网络" "深度学习，人工智能" -q -f json | grep '"reason"'
printf '   (%d s)\n' $((SECONDS - t0)) >&2

step "d. wordsim-240 (Spearman, coverage) and its bootstrap interval"
t0=$SECONDS
$SIMVEC evaluate "$DATA/wordsim-240.txt" -v "$OUT/zh-w2v.txt" -q -f csv
$PYTHON examples/wordsim_bootstrap.py "$DATA/wordsim-240.txt" "$OUT/zh-w2v.txt" \
    > "$OUT/wordsim-bootstrap.json"
$PYTHON -c "import json, sys; r = json.load(open(sys.argv[1]))['files'][0]; \
print('spearman %.3f, 95%% bootstrap interval [%.3f, %.3f]' % (r['spearman'], *r['ci95']))" \
    "$OUT/wordsim-bootstrap.json"
printf '   (%d s)\n' $((SECONDS - t0)) >&2
