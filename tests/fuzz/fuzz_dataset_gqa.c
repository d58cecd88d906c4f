/* fuzz_dataset_gqa.c - the GQA loader (datasets/gqa.c). */
#define FUZZ_SPEC "{\"format\":\"gqa\",\"questions\":\"@\"}"
#include "fuzz_dataset.h"
