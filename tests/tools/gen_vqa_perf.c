/*
 * gen_vqa_perf.c - writes VQAv2-val-sized inputs for tests/perf/vqa_score.sh:
 * questions.json, annotations.json (the official layout, about 172 MB for
 * 214,354 questions x 10 answers) and results.json, deterministically (a
 * fixed splitmix64 stream), so every run measures the same bytes.
 *
 * usage: gen_vqa_perf OUTDIR [NQUESTIONS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 1014;

static uint64_t next(void)
{
	uint64_t z = (state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return (unsigned)(next() % n);
}

static const char *const qtypes[] = {
	"what is the", "is this", "how many", "what color is the", "is the", "what",
	"are there", "what is", "does the", "what kind of", "is there a", "where is the",
	"what type of", "why", "what is on the", "which", "who is", "what sport is",
};
static const char *const other[] = {
	"red", "blue", "white", "black and white", "tennis", "frisbee", "kitchen", "pizza",
	"man", "woman", "dog", "cat", "skateboarding", "baseball", "t-shirt", "left",
	"right", "table", "grass", "snow", "water", "umbrella", "surfing", "giraffe",
	"brown", "green", "wood", "phone", "clock", "bus", "train", "horse", "none",
	"don't know", "on table", "in air", "2:00", "1,000", "stop sign", "yellow",
};
static const char *const numbers[] = { "0", "1", "2", "3", "4", "5", "6", "10", "two", "1 " };
static const char *const confid[] = { "yes", "maybe", "no" };

static const char *pick_answer(int atype, const char *base)
{
	/* 70% the majority answer, else another plausible one */
	if (below(10) < 7)
		return base;
	if (atype == 0)
		return below(2) ? "yes" : "no";
	if (atype == 1)
		return numbers[below(10)];
	return other[below(sizeof(other) / sizeof(*other))];
}

/* A model's answer: the base answer with the variations models produce. */
static void prediction(FILE *f, const char *base)
{
	switch (below(12)) {
	case 0: fprintf(f, "\"%c%s\"", base[0] >= 'a' && base[0] <= 'z' ? base[0] - 32 : base[0], base + 1); break;
	case 1: fprintf(f, "\"%s.\"", base); break;
	case 2: fprintf(f, "\"the %s\"", base); break;
	case 3: fprintf(f, "\"The answer is %s.\"", base); break;
	case 4: fprintf(f, "\" %s\\n\"", base); break;
	case 5: fprintf(f, "\"%s\"", other[below(sizeof(other) / sizeof(*other))]); break;
	default: fprintf(f, "\"%s\"", base); break;
	}
}

int main(int argc, char **argv)
{
	char path[4096];
	long n = argc > 2 ? atol(argv[2]) : 214354;
	FILE *q, *a, *r;
	const char **base;

	if (argc < 2) {
		fprintf(stderr, "usage: gen_vqa_perf OUTDIR [NQUESTIONS]\n");
		return 2;
	}
	base = malloc((size_t)n * sizeof(*base));
	snprintf(path, sizeof(path), "%s/questions.json", argv[1]);
	q = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/annotations.json", argv[1]);
	a = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/results.json", argv[1]);
	r = fopen(path, "w");
	if (!q || !a || !r || !base) {
		perror(path);
		return 1;
	}
	fputs("{\"info\": {\"description\": \"synthetic VQA v2 sized set\", \"version\": \"2.0\"}, "
	      "\"task_type\": \"Open-Ended\", \"data_type\": \"mscoco\", \"license\": {\"url\": "
	      "\"http://creativecommons.org/licenses/by/4.0/\", \"name\": \"CC BY 4.0\"}, "
	      "\"data_subtype\": \"val2014\", \"questions\": [", q);
	fputs("{\"info\": {\"description\": \"synthetic VQA v2 sized set\", \"version\": \"2.0\"}, "
	      "\"license\": {\"url\": \"http://creativecommons.org/licenses/by/4.0/\", \"name\": "
	      "\"CC BY 4.0\"}, \"data_subtype\": \"val2014\", \"annotations\": [", a);
	fputc('[', r);
	for (long i = 0; i < n; i++) {
		long image = 42 + i / 5 * 7;
		long qid = image * 1000 + i % 5;
		unsigned t = below(sizeof(qtypes) / sizeof(*qtypes));
		int atype = below(100) < 38 ? 0 : below(100) < 20 ? 1 : 2;
		const char *b = atype == 0 ? (below(2) ? "yes" : "no")
			: atype == 1 ? numbers[below(8)] : other[below(sizeof(other) / sizeof(*other))];
		const char *at = atype == 0 ? "yes/no" : atype == 1 ? "number" : "other";

		base[i] = b;
		fprintf(q, "%s{\"image_id\": %ld, \"question\": \"%s thing number %ld in this picture?\", "
			"\"question_id\": %ld}", i ? ", " : "", image, qtypes[t], i, qid);
		fprintf(a, "%s{\"question_type\": \"%s\", \"multiple_choice_answer\": \"%s\", \"answers\": [",
			i ? ", " : "", qtypes[t], b);
		for (int k = 0; k < 10; k++)
			fprintf(a, "%s{\"answer\": \"%s\", \"answer_confidence\": \"%s\", \"answer_id\": %d}",
				k ? ", " : "", pick_answer(atype, b), confid[below(3)], k + 1);
		fprintf(a, "], \"image_id\": %ld, \"answer_type\": \"%s\", \"question_id\": %ld}", image,
			at, qid);
	}
	/* results in another order than the annotations, as submissions are
	 * (a stride coprime with n visits every question once) */
	long stride = 7919;
	while (n % stride == 0)
		stride++;
	for (long k = 0; k < n; k++) {
		long i = (long)(((unsigned long long)k * (unsigned long long)stride) % (unsigned long long)n);
		long image = 42 + i / 5 * 7;
		fprintf(r, "%s{\"question_id\": %ld, \"answer\": ", k ? ", " : "", image * 1000 + i % 5);
		prediction(r, base[i]);
		fputc('}', r);
	}
	fputs("]}", q);
	fputs("], \"data_type\": \"mscoco\"}", a);
	fputs("]\n", r);
	free(base);
	if (fclose(q) || fclose(a) || fclose(r)) {
		perror("write");
		return 1;
	}
	return 0;
}
