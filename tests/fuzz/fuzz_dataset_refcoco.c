/* fuzz_dataset_refcoco.c - the RefCOCO/MDETR loader (datasets/refcoco.c). */
#define FUZZ_SPEC "{\"format\":\"refcoco\",\"annotations\":\"@\"}"
#include "fuzz_dataset.h"
