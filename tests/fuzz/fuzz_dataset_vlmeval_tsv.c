/* fuzz_dataset_vlmeval_tsv.c - the VLMEvalKit TSV loader (datasets/vlmeval_tsv.c). */
#define FUZZ_SPEC "{\"format\":\"vlmeval_tsv\",\"path\":\"@\"}"
#include "fuzz_dataset.h"
