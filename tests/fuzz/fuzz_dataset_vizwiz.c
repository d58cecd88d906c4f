/* fuzz_dataset_vizwiz.c - the VizWiz loader (datasets/vizwiz.c). */
#define FUZZ_SPEC "{\"format\":\"vizwiz\",\"annotations\":\"@\"}"
#include "fuzz_dataset.h"
