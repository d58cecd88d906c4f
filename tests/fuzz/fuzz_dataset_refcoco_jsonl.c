/* fuzz_dataset_refcoco_jsonl.c - the RefCOCO JSON lines loader (datasets/refcoco.c). */
#define FUZZ_SPEC "{\"format\":\"refcoco_jsonl\",\"path\":\"@\"}"
#include "fuzz_dataset.h"
