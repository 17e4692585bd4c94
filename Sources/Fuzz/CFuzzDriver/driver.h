// libFuzzer's driver, linked in by `-sanitize=fuzzer`. Each harness's main.swift calls it with its callback:
// SwiftPM renames an executable's `main` in debug builds, so libFuzzer's own `main` cannot be used.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
