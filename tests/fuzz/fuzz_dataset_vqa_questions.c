/* fuzz_dataset_vqa_questions.c - the VQA questions loader (datasets/vqa.c). */
#define FUZZ_SPEC "{\"format\":\"vqa\",\"questions\":\"@\"}"
#include "fuzz_dataset.h"
