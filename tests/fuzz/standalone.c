/* Replays inputs through a fuzz target without libFuzzer, so that found
 * inputs run as ordinary tests under any compiler, the sanitizers and
 * valgrind.
 *
 * Usage: PROGRAM FILE|DIRECTORY...  (a directory: every file in it, in
 * name order). Exits 0 when every input ran; a finding aborts. In a
 * directory, a file whose name ends in ".pending" is a reproducer handed
 * to the owner of the code at fault and not yet fixed: it is counted, not
 * run (drop the suffix once the fix is in). */
#include "fuzz.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: cannot open\n", path);
    return 1;
  }
  uint8_t *data = NULL;
  size_t len = 0;
  size_t cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *d = realloc(data, cap);
      if (!d) {
        free(data);
        fclose(f);
        fprintf(stderr, "%s: out of memory\n", path);
        return 1;
      }
      data = d;
    }
    size_t got = fread(data + len, 1, cap - len, f);
    if (got == 0) {
      break;
    }
    len += got;
  }
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    free(data);
    fprintf(stderr, "%s: cannot read\n", path);
    return 1;
  }
  /* An exact-size copy, so that reads past the end are caught. */
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) {
    free(data);
    return 1;
  }
  if (len) {
    memcpy(exact, data, len);
  }
  free(data);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  return 0;
}

static int name_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool pending(const char *name)
{
  size_t n = strlen(name);
  return n > 8 && strcmp(name + n - 8, ".pending") == 0;
}

static int run_dir(const char *dir, size_t *count, size_t *skipped)
{
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "%s: cannot open\n", dir);
    return 1;
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') {
      continue;
    }
    if (pending(e->d_name)) {
      (*skipped)++;
      continue;
    }
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    char *path = malloc(len);
    char **nn = realloc(names, (n + 1) * sizeof *nn);
    if (!path || !nn) {
      free(path);
      if (nn) {
        names = nn;
      }
      rc = 1;
      break;
    }
    names = nn;
    snprintf(path, len, "%s/%s", dir, e->d_name);
    names[n++] = path;
  }
  closedir(d);
  if (n) {
    qsort(names, n, sizeof *names, name_cmp);
  }
  for (size_t i = 0; i < n; i++) {
    if (rc == 0) {
      rc = run_file(names[i]);
      (*count)++;
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv)
{
  if (LLVMFuzzerInitialize) {
    LLVMFuzzerInitialize(&argc, &argv);
  }
  size_t count = 0;
  size_t skipped = 0;
  int rc = 0;
  for (int i = 1; i < argc && rc == 0; i++) {
    struct stat sb;
    if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
      rc = run_dir(argv[i], &count, &skipped);
    } else {
      rc = run_file(argv[i]);
      count++;
    }
  }
  if (rc == 0) {
    fprintf(stderr, "%zu inputs ran, %zu pending not run\n", count, skipped);
  }
  return rc;
}
