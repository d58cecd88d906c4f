/* fuzz_dataset_chair.c - the CHAIR (COCO instances) loader (datasets/chair.c). */
#define FUZZ_SPEC "{\"format\":\"chair\",\"instances\":\"@\",\"annotations\":\"tests/fixtures/chair/captions_val2014.json\",\"image_ids\":\"tests/fixtures/chair/image_ids.txt\"}"
#include "fuzz_dataset.h"
