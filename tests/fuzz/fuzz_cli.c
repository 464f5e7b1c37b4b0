/* Fuzz the command line: the input is split at newlines into arguments
 * for the kgraph command, whose main() is compiled into this program
 * under the name kgraph_cli_main (engine/cli/main.c with
 * -Dmain=kgraph_cli_main; no subprocess).
 *
 * The command runs in a scratch directory holding a few small inputs
 * (people.ttl, graphs.trig, small.rdf, broken.ttl, q.rq), remade before
 * every run, with KGRAPH_HOME pointing at a tiny article graph there;
 * standard input is empty and standard output discarded. So that a run
 * never writes or reads outside the scratch directory, inputs with an
 * argument that could name a path outside it are skipped: one starting
 * with '/', holding "..", or starting with a store prefix and a slash
 * ("sqlite:/", "lmdb:/").
 *
 * Checks: no crash, leak or sanitizer report; the exit status is one of
 * the documented 0 to 4. */
#include "cli_main.h"
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARGS 24

static char scratch[64];

static void put(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");
  if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
    fuzz_fail("cannot write %s/%s", scratch, path);
  }
}

/* Empty the scratch directory (files and store directories one level
 * deep) and, if `refill`, put the inputs back. */
static void reset_scratch_files(bool refill)
{
  DIR *d = opendir(".");
  if (!d) {
    fuzz_fail("cannot read %s", scratch);
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
        strcmp(e->d_name, "home") == 0) {
      continue;
    }
    if (unlink(e->d_name) != 0 && errno == EISDIR) {
      DIR *sub = opendir(e->d_name);
      struct dirent *f;
      char path[1024];
      while (sub && (f = readdir(sub)) != NULL) {
        if (snprintf(path, sizeof path, "%s/%s", e->d_name, f->d_name) <
            (int)sizeof path) {
          unlink(path);
        }
      }
      if (sub) {
        closedir(sub);
      }
      rmdir(e->d_name);
    }
  }
  closedir(d);
  if (!refill) {
    return;
  }
  put("people.ttl", "@prefix ex: <http://example.org/> .\n"
                    "ex:alice ex:name \"Alice\" ; ex:knows ex:bob, _:x .\n"
                    "ex:bob ex:name \"Bob\"@en .\n");
  put("graphs.trig", "@prefix ex: <http://example.org/> .\n"
                     "ex:g1 { ex:a ex:p 1 . }\n"
                     "ex:g2 { ex:b ex:p \"x\" . }\n");
  put("small.rdf",
      "<?xml version=\"1.0\"?>\n"
      "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n"
      "  xmlns:ex=\"http://example.org/\">\n"
      "  <rdf:Description rdf:about=\"http://example.org/c\">\n"
      "    <ex:name>Carol</ex:name>\n"
      "  </rdf:Description>\n"
      "</rdf:RDF>\n");
  put("broken.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b .\n");
  put("q.rq", "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o");
}

static void reset_scratch(void)
{
  reset_scratch_files(true);
}

/* Remove the scratch directory when the process ends normally. */
static void remove_scratch(void)
{
  if (chdir(scratch) == 0) {
    reset_scratch_files(false);
    unlink("home/ontology/o.ttl");
    unlink("home/data/d.trig");
    rmdir("home/ontology");
    rmdir("home/data");
    rmdir("home");
  }
  if (chdir("/") == 0) {
    rmdir(scratch);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  snprintf(scratch, sizeof scratch, "/tmp/kgraph-fuzz-cli-XXXXXX");
  if (!mkdtemp(scratch) || chdir(scratch) != 0) {
    fuzz_fail("cannot make a scratch directory");
  }
  /* A tiny article graph, so that the default store loads fast. */
  if (mkdir("home", 0700) != 0 || mkdir("home/ontology", 0700) != 0 ||
      mkdir("home/data", 0700) != 0) {
    fuzz_fail("cannot make %s/home", scratch);
  }
  put("home/ontology/o.ttl",
      "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
      "@prefix ex: <http://example.org/> .\n"
      "ex:Person rdfs:subClassOf ex:Agent .\n");
  put("home/data/d.trig", "@prefix ex: <http://example.org/> .\n"
                          "ex:g { ex:ann a ex:Person . }\n");
  char home[128];
  snprintf(home, sizeof home, "%s/home", scratch);
  setenv("KGRAPH_HOME", home, 1);
  if (!freopen("/dev/null", "rb", stdin) ||
      !freopen("/dev/null", "wb", stdout)) {
    fuzz_fail("cannot redirect the standard streams");
  }
  reset_scratch();
  atexit(remove_scratch);
  return 0;
}

static bool safe_arg(const char *a)
{
  return a[0] != '/' && !strstr(a, "..") && strncmp(a, "sqlite:/", 8) != 0 &&
         strncmp(a, "lmdb:/", 6) != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!scratch[0]) {
    LLVMFuzzerInitialize(NULL, NULL);
  }
  char *text = malloc(size + 1);
  if (!text) {
    return 0;
  }
  memcpy(text, data, size);
  text[size] = '\0';
  char *argv[MAX_ARGS + 2];
  int argc = 0;
  argv[argc++] = "kgraph";
  bool ok = memchr(data, '\0', size) == NULL; /* argv strings hold no NUL */
  char *p = text;
  while (ok && argc <= MAX_ARGS) {
    char *nl = strchr(p, '\n');
    if (nl) {
      *nl = '\0';
    }
    ok = safe_arg(p);
    argv[argc++] = p;
    if (!nl) {
      break;
    }
    p = nl + 1;
  }
  argv[argc] = NULL;
  if (ok) {
    clearerr(stdin);
    int rc = kgraph_cli_main(argc, argv);
    fflush(stdout);
    if (rc < 0 || rc > 4) {
      fuzz_fail("exit status %d", rc);
    }
    reset_scratch();
  }
  free(text);
  return 0;
}
