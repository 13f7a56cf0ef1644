# Sourced by the attack benchmarks: the worker's glibc malloc settings (WorkerSettings.MALLOC_TUNABLES, the
# worker Dockerfiles), so both sides of a comparison run as a worker does. DockerfilesTest keeps them equal.
WORKER_MALLOC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824
