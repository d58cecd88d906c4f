/* fuzz_dataset_pope.c - the POPE loader (datasets/pope.c). */
#define FUZZ_SPEC "{\"format\":\"pope\",\"questions\":\"@\"}"
#include "fuzz_dataset.h"
