#!/usr/bin/env bash
# The §4 ablation with `shadowfleet attack --trace` (paper: the first example of each class, 30 steps,
# lr 0.1, 1-channel, λtv 0.3, λc 20, B = 50 — the `ablation` preset):
#   steps      fmnist-rs-0.25, the first test image of each class, all targets, the loss terms at every
#              step  -> docs/reproduction/raw/ablation/steps/trace.csv           (Figures 4-6)
#   lambda-tv  the same model, the first ABL_GRID_IMAGES of those images, λtv in ABL_TV_VALUES
#              -> raw/ablation/lambda-tv/<λtv>/final.csv + image-<i>.png          (Figures 8, 12)
#   lambda-s   fmnist-rgb-rs-0.25 on fashion-mnist-rgb:test, 3-channel δ, λs in ABL_S_VALUES
#              -> raw/ablation/lambda-s/<λs>/final.csv + image-<i>.png            (Figures 7, 11)
# Certification only decides which target's image is shown (n = ABL_N, default 2,000; the natural image
# must not abstain for an image to be attacked). A part whose output exists is skipped. Wall times go
# to raw/ablation/times.csv. Usage: tools/repro/ablation.sh [steps|lambda-tv|lambda-s ...]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
out="docs/reproduction/raw/ablation"
work="${SHADOWFLEET_HOME:-$repo/.shadowfleet}/repro/ablation"
n="${ABL_N:-2000}"
grid="${ABL_GRID_IMAGES:-5}"
tv_values="${ABL_TV_VALUES:-0 0.06 0.12 0.18 0.24 0.3}"
s_values="${ABL_S_VALUES:-0 1 2 3 4 5}"
parts=("$@"); [ ${#parts[@]} -gt 0 ] || parts=(steps lambda-tv lambda-s)
mkdir -p "$out" "$work"
# The product's packaged jars, as the fleet's workers run them (built by ./shadowfleet-local), so editing
# and compiling the sources meanwhile does not disturb a running attack.
[ -f launcher/target/runtime.classpath ] || ./shadowfleet-local --help >/dev/null
classpath="$(cat launcher/target/runtime.classpath)"
[ -f "$out/times.csv" ] || echo "part,value,images,wall_seconds,load_avg,finished_utc" > "$out/times.csv"

# The first test image of each class, in class order (0..9).
labels=/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
mapfile -t first < <(zcat "$labels" | tail -c +9 | od -An -tu1 -v | tr -s ' ' '\n' | grep -v '^$' \
  | awk '!seen[$1]++ {print $1, NR-1}' | sort -n | cut -d' ' -f2)
all_images="$(IFS=,; echo "${first[*]}")"
grid_images="$(IFS=,; echo "${first[*]:0:$grid}")"

terms='[.spoof, .tv, .color, .dissim, .total]'
attack() { # part value images out-dir args...
  local part="$1" value="$2" images="$3" dir="$4"; shift 4
  local t0; t0=$(date +%s)
  rm -rf "$dir"
  nice -n 10 java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
    -Xmx2g -cp "$classpath" dev.shadowfleet.worker.cli.ShadowfleetCli \
    attack --images "$images" --preset ablation --n "$n" --out "$dir" "$@" >/dev/null
  echo "$part,$value,$(tr ',' '\n' <<<"$images" | wc -l),$(( $(date +%s) - t0 )),$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/'),$(date -u +%FT%TZ)" >> "$out/times.csv"
}

for part in "${parts[@]}"; do
  case "$part" in
    steps)
      [ -f "$out/steps/trace.csv" ] && { echo "skip steps (exists)"; continue; }
      attack steps - "$all_images" "$work/steps" --model fmnist-rs-0.25 --trace
      mkdir -p "$out/steps"
      { echo "image,label,target,step,spoof,tv,color,dissim,total"
        jq -r ".image as \$i | .outcome.label as \$l | .outcome.targets[].attack | .target as \$t
               | .trace | to_entries[] | [\$i, \$l, \$t, .key] + (.value | $terms) | @csv" "$work"/steps/image-*.json
      } > "$out/steps/trace.csv"
      ;;
    lambda-tv|lambda-s)
      if [ "$part" = lambda-tv ]; then values="$tv_values"; else values="$s_values"; fi
      for v in $values; do
        dest="$out/$part/$v"
        [ -f "$dest/final.csv" ] && { echo "skip $part $v (exists)"; continue; }
        if [ "$part" = lambda-tv ]; then
          attack "$part" "$v" "$grid_images" "$work/$part-$v" --model fmnist-rs-0.25 --set "lambdaTv=$v"
        else
          attack "$part" "$v" "$grid_images" "$work/$part-$v" --model fmnist-rgb-rs-0.25 \
            --dataset fashion-mnist-rgb:test --set channelMode=THREE_CHANNEL --set "lambdaS=$v"
        fi
        mkdir -p "$dest"
        { echo "image,label,target,spoof,tv,color,dissim,total,l2,linf"
          jq -r ".image as \$i | .outcome.label as \$l | .outcome.targets[].attack
                 | [\$i, \$l, .target] + (.loss | $terms) + [.l2, .linf] | @csv" "$work/$part-$v"/image-*.json
        } > "$dest/final.csv"
        cp "$work/$part-$v"/image-*.png "$dest/" 2>/dev/null || true
      done
      ;;
    *) echo "ablation.sh: unknown part '$part' (steps, lambda-tv, lambda-s)" >&2; exit 2 ;;
  esac
done
echo "ablation data in $out"
