#!/usr/bin/env bash
# Retrains the bundled models into models/ (see models/README.md for the measured metrics).
# Usage: tools/train_models.sh [smoothed|ibp-0.1|ibp-0.2|rgb|all]   (default: all, one after another)
# Each run uses one PyTorch thread (--threads); run groups in parallel on a machine with spare cores.
set -euo pipefail
cd "$(dirname "$0")/.."
CP_FILE=${CP_FILE:-target/train-classpath.txt}
if [[ -z "${SHADOWFLEET_CP:-}" ]]; then
  mkdir -p target
  ./mvnw -B -q -pl gpu-worker -am compile dependency:build-classpath -Dmdep.outputFile="$PWD/$CP_FILE"
  SHADOWFLEET_CP="gpu-worker/target/classes:common/target/classes:$(cat "$CP_FILE")"
fi
train() { java -Dai.djl.offline=true -Xmx4g -cp "$SHADOWFLEET_CP" dev.shadowfleet.worker.cli.ShadowfleetCli train --out models "$@"; }

smoothed() {
  for s in 0.25 0.12 0.50 1.00; do
    train --id "fmnist-rs-$s" --sigma "$s" --arch conv-small --epochs 3 --lr 0.001 --seed 1
  done
}
rgb() {
  for s in 0.25 0.50; do
    train --id "fmnist-rgb-rs-$s" --train fashion-mnist-rgb:train --test fashion-mnist-rgb:test --sigma "$s" \
      --arch conv-small --epochs 2 --lr 0.001 --seed 1
  done
}
ibp() { # $1 = epsilon, $2 = epochs of conv-small/mlp (conv-wide: 2/3 of it); trained at 1.1 epsilon
  local e=$1 n=$2 te
  te=$(awk "BEGIN { print $e * 1.1 }")
  train --id "fmnist-ibp-$e-conv-small" --epsilon "$e" --train-epsilon "$te" --arch conv-small --epochs "$n" \
    --warmup-epochs 0.5 --ramp-epochs "$((n / 2))" --kappa-end 0 --lr 0.001 --seed 1
  train --id "fmnist-ibp-$e-mlp" --epsilon "$e" --train-epsilon "$te" --arch mlp --epochs "$n" \
    --warmup-epochs 0.5 --ramp-epochs "$((n / 2))" --kappa-end 0 --lr 0.001 --seed 1
  train --id "fmnist-ibp-$e-conv-wide" --epsilon "$e" --train-epsilon "$te" --arch conv-wide --epochs "$((n * 2 / 3))" \
    --warmup-epochs 0.5 --ramp-epochs "$((n / 3))" --kappa-end 0 --lr 0.001 --seed 1
}
case "${1:-all}" in
  smoothed) smoothed ;;
  rgb) rgb ;;
  ibp-0.1) ibp 0.1 6 ;;
  ibp-0.2) ibp 0.2 4 ;;
  all) smoothed; ibp 0.1 6; ibp 0.2 4; rgb ;;
  *) echo "usage: $0 [smoothed|ibp-0.1|ibp-0.2|rgb|all]" >&2; exit 2 ;;
esac
