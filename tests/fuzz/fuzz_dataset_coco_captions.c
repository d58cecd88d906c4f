/* fuzz_dataset_coco_captions.c - the COCO captions loader (datasets/coco_captions.c). */
#define FUZZ_SPEC "{\"format\":\"coco_captions\",\"annotations\":\"@\"}"
#include "fuzz_dataset.h"
