/* fuzz_dataset_jsonl.c - the native JSONL loader (datasets/jsonl.c). */
#define FUZZ_SPEC "{\"format\":\"jsonl\",\"path\":\"@\"}"
#include "fuzz_dataset.h"
