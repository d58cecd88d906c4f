/* fuzz_dataset_textvqa.c - the TextVQA loader (datasets/textvqa.c). */
#define FUZZ_SPEC "{\"format\":\"textvqa\",\"annotations\":\"@\"}"
#include "fuzz_dataset.h"
