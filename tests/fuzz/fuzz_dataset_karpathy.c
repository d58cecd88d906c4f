/* fuzz_dataset_karpathy.c - the Karpathy split loader (datasets/coco_karpathy.c). */
#define FUZZ_SPEC "{\"format\":\"coco_karpathy\",\"annotations\":\"@\",\"split\":\"test\"}"
#include "fuzz_dataset.h"
