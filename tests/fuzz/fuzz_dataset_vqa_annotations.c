/* fuzz_dataset_vqa_annotations.c - the VQA annotations loader (datasets/vqa.c). */
#define FUZZ_SPEC "{\"format\":\"vqa\",\"questions\":\"tests/fixtures/vqa/questions.json\",\"annotations\":\"@\"}"
#include "fuzz_dataset.h"
