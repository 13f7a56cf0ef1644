#!/usr/bin/env bash
# Packs what the GPU checks (tools/bench/gpu_check.sh) need on a CUDA host that has PyTorch but no Java and
# no network: a trimmed JRE 17 (jlink), the worker's runtime jars without the CPU natives (the host's own
# libtorch is used through PYTORCH_LIBRARY_PATH) and without Kafka (the checks run the engine and the
# command-line tool, not the fleet), the test classes (the benchmark and its fixture network), and the
# first 1,000 Fashion-MNIST test images. Usage: tools/bench/pack_runtime.sh [archive] (default
# target/gpu-runtime.tar.xz).
set -euo pipefail
cd "$(dirname "$0")/../.."
archive=$(realpath -m "${1:-target/gpu-runtime.tar.xz}")
jdk=${JDK_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./mvnw -B -q -pl gpu-worker -am package dependency:copy-dependencies -DincludeScope=runtime -DskipTests \
  >/dev/null
./mvnw -B -q -pl gpu-worker -am test-compile >/dev/null
"$jdk/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,jdk.management,java.naming,java.xml,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$work/jre"
strip --strip-unneeded "$work/jre/lib/server/libjvm.so" 2>/dev/null || true
mkdir -p "$work/lib" "$work/data" "$work/jni"
for jar in gpu-worker/target/dependency/*.jar; do
  case "$(basename "$jar")" in
    pytorch-native-cpu-*|kafka-*|zstd-jni-*|snappy-java-*|lz4-java-*) ;;
    pytorch-jni-*) # only the Linux x86-64 bridges (cpu, cu128)
      (cd "$work/jni" && unzip -q -o "$(realpath "$OLDPWD/$jar")" 'jnilib/pytorch.properties' 'jnilib/linux-x86_64/*' 'META-INF/*' \
        && jar cf "$work/lib/$(basename "$jar")" .) ;;
    *) cp "$jar" "$work/lib/" ;;
  esac
done
cp gpu-worker/target/shadowfleet-gpu-worker-*.jar "$work/lib/"
jar cf "$work/lib/gpu-worker-tests.jar" -C gpu-worker/target/test-classes .
/usr/bin/python3 - "$work/data" <<'EOF'
import gzip, struct, sys
src = "/usr/share/datasets/fashion-mnist/"
keep = 1000
for name, header, item in (("t10k-images-idx3-ubyte.gz", 16, 784), ("t10k-labels-idx1-ubyte.gz", 8, 1)):
    raw = gzip.open(src + name).read()
    head = bytearray(raw[:header])
    struct.pack_into(">I", head, 4, keep)  # the item count
    with gzip.open(sys.argv[1] + "/" + name, "wb") as f:
        f.write(bytes(head) + raw[header:header + keep * item])
EOF
mkdir -p "$(dirname "$archive")"
tar -C "$work" -cJf "$archive" jre lib data
ls -l "$archive"
