/* kgraph: the command-line client. It uses only the public API. */
#include <kgraph.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
  EXIT_OK = 0,
  EXIT_RUNTIME = 1, /* runtime, I/O or store error */
  EXIT_USAGE = 2,   /* bad command line */
  EXIT_SYNTAX = 3,  /* syntax error in data or query */
  EXIT_LIMIT = 4    /* a --timeout, --max-rows or --max-memory limit */
};

static const char usage_main[] =
    "Usage: kgraph COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "An embedded knowledge-graph engine: SPARQL over RDF.\n"
    "\n"
    "Commands:\n"
    "  query    run a SPARQL query and print its results\n"
    "  update   run a SPARQL Update request\n"
    "  load     load RDF files into a persistent store\n"
    "  export   write the store (or one graph) as RDF\n"
    "  stats    count what the store holds\n"
    "  prefix   list or set the store's namespace prefixes\n"
    "  help     show help for a command\n"
    "\n"
    "With no --store and no --data, query, export and stats work on an\n"
    "in-memory store preloaded with the article graph.\n"
    "\n"
    "Stores (--store SPEC):\n"
    "  :memory:        in memory, gone on exit\n"
    "  PATH            persistent store in one LMDB file (or lmdb:PATH)\n"
    "  sqlite:PATH     Redland's SQLite storage in one file\n"
    "  postgresql:SETTINGS  Redland's PostgreSQL storage; SETTINGS as\n"
    "                  'host=H port=5432 dbname=kg user=me' (the password\n"
    "                  from PGPASSWORD or ~/.pgpass)\n"
    "  bdb:DIR         Redland's Berkeley DB storage in directory DIR\n"
    "                  (no transactions)\n"
    "\n"
    "RDF formats: turtle (.ttl), ntriples (.nt), nquads (.nq), trig (.trig),\n"
    "  rdfxml (.rdf .owl .xml); export also: dot (Graphviz).\n"
    "Result formats: table, json, xml, csv, tsv.\n"
    "\n"
    "Exit status: 0 success; 1 runtime, I/O or store error; 2 usage error;\n"
    "  3 syntax error in data or query; 4 --timeout, --max-rows or\n"
    "  --max-memory reached; 130 interrupted (Ctrl-C).\n"
    "\n"
    "Run 'kgraph help COMMAND' for the options of a command.\n";

static const char usage_query[] =
    "Usage: kgraph query [OPTIONS] (QUERY | -q FILE | -)\n"
    "\n"
    "Run one SPARQL query: given as text, read from FILE (-q), or from\n"
    "standard input (-). Results go to standard output.\n"
    "\n"
    "Options:\n"
    "  -q, --query-file FILE  read the query from FILE; its IRI is the base\n"
    "  --store SPEC           query this store (default: the article graph)\n"
    "  --data FILE            load FILE into the default graph of an\n"
    "                         in-memory store first (repeatable)\n"
    "  --named [IRI=]FILE     load FILE into the graph named IRI (default:\n"
    "                         the file's IRI) (repeatable)\n"
    "  --results FORMAT       table, json, xml, csv or tsv for SELECT and\n"
    "                         ASK (default: table on a terminal, else tsv)\n"
    "  --format FORMAT        RDF format for CONSTRUCT and DESCRIBE:\n"
    "                         turtle (default), ntriples, nquads, trig,\n"
    "                         rdfxml, dot\n"
    "  --base IRI             base IRI for the query\n"
    "  --timeout SECONDS      stop with exit status 4 after SECONDS\n"
    "  --max-rows N           stop with exit status 4 past N results\n"
    "  --max-memory MB        stop with exit status 4 when the query needs\n"
    "                         more than MB megabytes\n"
    "  --parse-only           check the query's syntax; print nothing\n"
    "  --inference rdfs|none  materialise RDFS entailments into the graph\n"
    "                         " KG_INFERRED_GRAPH "\n"
    "                         first (default: rdfs for the article graph,\n"
    "                         none otherwise)\n"
    "\n"
    "Refused: SERVICE, FROM and FROM NAMED (kgraph reads only what you\n"
    "name on the command line; use --data and --named).\n";

static const char usage_update[] =
    "Usage: kgraph update [OPTIONS] (FILE | -e REQUEST | -)\n"
    "\n"
    "Run one SPARQL 1.1 Update request, read from FILE (its IRI is the\n"
    "base), given with -e, or read from standard input (-). The request is\n"
    "one transaction: all of it takes effect, or none.\n"
    "\n"
    "Options:\n"
    "  -e, --request TEXT     the request itself\n"
    "  --store SPEC           update this persistent store (created when\n"
    "                         missing)\n"
    "  --data FILE            load FILE into the default graph of an\n"
    "                         in-memory store first (repeatable); without\n"
    "                         --store and --data the store starts empty\n"
    "  --named [IRI=]FILE     load FILE into the graph named IRI (default:\n"
    "                         the file's IRI) (repeatable)\n"
    "  --allow-load FILE      let LOAD read FILE (repeatable); LOAD of\n"
    "                         anything else is refused\n"
    "  --dump FORMAT          then write the whole store: nquads, trig,\n"
    "                         turtle, ntriples, rdfxml\n"
    "  --base IRI             base IRI for the request\n"
    "  --timeout SECONDS      stop with exit status 4 after SECONDS (the\n"
    "                         store is left unchanged)\n"
    "  --max-rows N           stop with exit status 4 when a WHERE clause\n"
    "                         has more than N solutions\n"
    "  --max-memory MB        stop with exit status 4 when the request needs\n"
    "                         more than MB megabytes (the store is left\n"
    "                         unchanged)\n"
    "  --parse-only           check the request's syntax; change nothing\n";

static const char usage_load[] =
    "Usage: kgraph load --store SPEC [OPTIONS] FILE...\n"
    "\n"
    "Load RDF files into a persistent store, creating it if needed. Each\n"
    "file is loaded whole or not at all, unless --commit-every is given.\n"
    "'-' reads standard input (then --format is required). Prints what was\n"
    "loaded, the time and the rate; on a terminal, progress goes to\n"
    "standard error meanwhile.\n"
    "\n"
    "Options:\n"
    "  --store SPEC      the store to load into (required)\n"
    "  --format FORMAT   turtle, ntriples, nquads, trig or rdfxml\n"
    "                    (default: from each file's extension)\n"
    "  --graph IRI       put triples into this named graph\n"
    "  --base IRI        base IRI (default: each file's own file IRI)\n"
    "  --inference rdfs  then materialise the store's RDFS entailments\n"
    "                    into the graph " KG_INFERRED_GRAPH "\n"
    "  --commit-every N  commit every N statements (1000, 10k, 1M, 1G) in a\n"
    "                    transaction of its own; if the load fails, the\n"
    "                    chunks committed stay and a line on standard error\n"
    "                    says how far they go and how to resume\n"
    "  --skip N          pass over the first N statements of the one FILE:\n"
    "                    resume a load that committed them\n"
    "  --resume          pass over as many as the store's checkpoint of an\n"
    "                    unfinished --commit-every load of FILE says were\n"
    "                    committed (after a kill, a crash)\n"
    "\n"
    "Exit status: 0 success; 1 runtime, I/O or store error; 2 usage error;\n"
    "  3 syntax error in the data; 130 interrupted (Ctrl-C). A failed load\n"
    "  with --commit-every, --skip or --resume also prints on standard error\n"
    "  'kgraph: FILE: first N statements committed, through line L (byte B);\n"
    "  resume with --skip N' (or 'kgraph: FILE: nothing committed').\n";

static const char usage_export[] =
    "Usage: kgraph export [OPTIONS]\n"
    "\n"
    "Write the store as RDF. Output is deterministic: the same content gives\n"
    "the same bytes. Turtle, N-Triples, RDF/XML and DOT merge the graphs;\n"
    "TriG and N-Quads keep them.\n"
    "\n"
    "Options:\n"
    "  --store SPEC      export this store (default: the article graph)\n"
    "  --data FILE       load FILE into an in-memory store first\n"
    "  --named [IRI=]FILE load FILE as a named graph first\n"
    "  --format FORMAT   turtle (default), ntriples, nquads, trig, rdfxml, "
    "dot\n"
    "  --graph IRI       export only this named graph\n"
    "  --default-graph   export only the default graph\n"
    "  -o, --output FILE write to FILE instead of standard output\n"
    "  --base IRI        base IRI of the --data and --named files (default:\n"
    "                    each file's own file IRI)\n"
    "  --inference rdfs|none  as for query (default: rdfs for the article\n"
    "                    graph, none otherwise)\n";

static const char usage_stats[] =
    "Usage: kgraph stats [OPTIONS]\n"
    "\n"
    "Print statements, triples, graphs, distinct subjects, predicates and\n"
    "objects, and the classes with their instance counts.\n"
    "\n"
    "Options:\n"
    "  --store SPEC      count this store (default: the article graph)\n"
    "  --data FILE       load FILE into an in-memory store first\n"
    "  --named [IRI=]FILE load FILE as a named graph first\n"
    "  --inference rdfs|none  as for query (default: rdfs for the article\n"
    "                    graph, none otherwise)\n";

static const char usage_prefix[] =
    "Usage: kgraph prefix [--store SPEC] [NAME IRI]\n"
    "\n"
    "Without NAME and IRI, list the store's prefixes (default store: the\n"
    "article graph). With them, bind NAME to IRI in the persistent store\n"
    "SPEC; export then abbreviates with it.\n";

typedef struct options {
  const char *command;
  const char *store;
  const char **data;
  size_t ndata;
  const char **named;
  size_t nnamed;
  const char *query_file;
  const char *results;
  const char *format;
  const char *graph;
  const char *base;
  const char *output;
  const char *timeout;
  const char *max_rows;
  const char *max_memory;
  const char *inference;
  const char *request;
  const char *dump;
  const char *commit_every;
  const char *skip;
  const char **allow_load;
  size_t nallow_load;
  bool default_graph;
  bool parse_only;
  bool resume;
  const char **args;
  size_t nargs;
} options;

static int usage_error(const char *fmt, const char *arg)
{
  fprintf(stderr, "kgraph: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'kgraph help' for more information.\n");
  return EXIT_USAGE;
}

static int exit_code(kg_status st)
{
  switch (st) {
  case KG_OK:
  case KG_DONE:
  case KG_ROW:
    return EXIT_OK;
  case KG_ERR_PARSE:
    return EXIT_SYNTAX;
  case KG_ERR_LIMIT:
    return EXIT_LIMIT;
  default:
    return EXIT_RUNTIME;
  }
}

/* Print the database's last error as "kgraph: SOURCE:LINE:COL: message". */
static int report(kg_db *db, kg_status st, const char *source_override)
{
  kg_location at = kg_errloc(db);
  const char *msg = kg_errmsg(db);
  const char *src = at.source;
  if (src && source_override &&
      (strcmp(src, "<query>") == 0 || strcmp(src, "<update>") == 0)) {
    src = source_override;
  }
  fprintf(stderr, "kgraph: ");
  if (src) {
    fprintf(stderr, "%s:", src);
    if (at.line) {
      fprintf(stderr, "%u:", at.line);
      if (at.column) {
        fprintf(stderr, "%u:", at.column);
      }
    }
    fputc(' ', stderr);
  }
  fprintf(stderr, "%s\n", msg && msg[0] ? msg : kg_strstatus(st));
  return exit_code(st);
}

static bool push(const char ***list, size_t *n, const char *v)
{
  const char **l = realloc(*list, (*n + 1) * sizeof *l);
  if (!l) {
    return false;
  }
  l[(*n)++] = v;
  *list = l;
  return true;
}

static void free_options(options *o)
{
  free(o->data);
  free(o->named);
  free(o->allow_load);
  free(o->args);
}

/* Options that take a value, and where they go. */
static const char **value_slot(options *o, const char *name)
{
  static const struct {
    const char *name;
    size_t offset;
  } slots[] = {
      {"--store", offsetof(options, store)},
      {"-q", offsetof(options, query_file)},
      {"--query-file", offsetof(options, query_file)},
      {"--results", offsetof(options, results)},
      {"--format", offsetof(options, format)},
      {"--graph", offsetof(options, graph)},
      {"--base", offsetof(options, base)},
      {"-o", offsetof(options, output)},
      {"--output", offsetof(options, output)},
      {"--timeout", offsetof(options, timeout)},
      {"--max-rows", offsetof(options, max_rows)},
      {"--max-memory", offsetof(options, max_memory)},
      {"-e", offsetof(options, request)},
      {"--request", offsetof(options, request)},
      {"--dump", offsetof(options, dump)},
      {"--inference", offsetof(options, inference)},
      {"--commit-every", offsetof(options, commit_every)},
      {"--skip", offsetof(options, skip)},
  };
  for (size_t i = 0; i < sizeof slots / sizeof *slots; i++) {
    if (strcmp(name, slots[i].name) == 0) {
      return (const char **)(void *)((char *)o + slots[i].offset);
    }
  }
  return NULL;
}

/* Which options each command accepts. */
static bool allowed(const char *command, const char *opt)
{
  static const struct {
    const char *command;
    const char *options;
  } table[] = {
      {"query", " --store -q --query-file --data --named --results --format "
                "--base --timeout --max-rows --max-memory --parse-only "
                "--inference "},
      {"update", " --store --data --named --base --allow-load --dump -e "
                 "--request --timeout --max-rows --max-memory --parse-only "},
      {"load", " --store --format --graph --base --inference --commit-every "
               "--skip --resume "},
      {"export", " --store --data --named --format --graph --default-graph "
                 "-o --output --inference --base "},
      {"stats", " --store --data --named --inference "},
      {"prefix", " --store "},
  };
  char key[64];
  if (strlen(opt) + 3 > sizeof key) {
    return false;
  }
  snprintf(key, sizeof key, " %s ", opt);
  for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
    if (strcmp(command, table[i].command) == 0) {
      return strstr(table[i].options, key) != NULL;
    }
  }
  return false;
}

static int parse_args(int argc, char **argv, options *o)
{
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      for (i++; i < argc; i++) {
        if (!push(&o->args, &o->nargs, argv[i])) {
          return usage_error("%s", "out of memory");
        }
      }
      break;
    }
    if (a[0] != '-' || strcmp(a, "-") == 0) {
      if (!push(&o->args, &o->nargs, a)) {
        return usage_error("%s", "out of memory");
      }
      continue;
    }
    if (!allowed(o->command, a)) {
      fprintf(stderr, "kgraph: %s: unknown option '%s'\n", o->command, a);
      fprintf(stderr, "Try 'kgraph help %s' for more information.\n",
              o->command);
      return EXIT_USAGE;
    }
    if (strcmp(a, "--default-graph") == 0) {
      o->default_graph = true;
      continue;
    }
    if (strcmp(a, "--parse-only") == 0) {
      o->parse_only = true;
      continue;
    }
    if (strcmp(a, "--resume") == 0) {
      o->resume = true;
      continue;
    }
    if (i + 1 >= argc) {
      return usage_error("option '%s' needs a value", a);
    }
    const char *v = argv[++i];
    bool ok = true;
    if (strcmp(a, "--data") == 0) {
      ok = push(&o->data, &o->ndata, v);
    } else if (strcmp(a, "--named") == 0) {
      ok = push(&o->named, &o->nnamed, v);
    } else if (strcmp(a, "--allow-load") == 0) {
      ok = push(&o->allow_load, &o->nallow_load, v);
    } else {
      const char **slot = value_slot(o, a);
      if (*slot) {
        return usage_error("option '%s' given twice", a);
      }
      *slot = v;
    }
    if (!ok) {
      return usage_error("%s", "out of memory");
    }
  }
  return EXIT_OK;
}

/* ---- the article graph ---- */

static bool is_dir(const char *path)
{
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Directory holding ontology/ and data/: $KGRAPH_HOME, else the source tree
 * this binary was built from, else the installed share directory. */
static const char *article_home(void)
{
  static const char *const candidates[] = {KG_SOURCE_DIR, KG_SHARE_DIR};
  const char *env = getenv("KGRAPH_HOME");
  if (env && env[0]) {
    return env;
  }
  char buf[PATH_MAX];
  for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
    if ((size_t)snprintf(buf, sizeof buf, "%s/data", candidates[i]) <
            sizeof buf &&
        is_dir(buf)) {
      return candidates[i];
    }
  }
  return NULL;
}

static int name_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load every .ttl and .trig file of DIR, in name order. */
static kg_status load_dir(kg_db *db, const char *dir)
{
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "kgraph: %s: cannot open: %s\n", dir, strerror(errno));
    return KG_ERR_IO;
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  kg_status st = KG_OK;
  while ((e = readdir(d)) != NULL) {
    kg_format f = kg_format_from_path(e->d_name);
    if (e->d_name[0] == '.' || (f != KG_FORMAT_TURTLE && f != KG_FORMAT_TRIG)) {
      continue;
    }
    char **nn = realloc(names, (n + 1) * sizeof *nn);
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    char *path = malloc(len);
    if (!nn || !path) {
      free(path);
      if (nn) {
        names = nn;
      }
      st = KG_ERR_NOMEM;
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
  for (size_t i = 0; i < n && st == KG_OK; i++) {
    st = kg_db_load_file(db, names[i], KG_FORMAT_AUTO, NULL, NULL, NULL);
    if (st != KG_OK) {
      report(db, st, NULL);
    }
  }
  for (size_t i = 0; i < n; i++) {
    free(names[i]);
  }
  free(names);
  return st;
}

static kg_status load_article(kg_db *db)
{
  const char *home = article_home();
  if (!home) {
    fprintf(stderr, "kgraph: cannot find the article graph (set "
                    "KGRAPH_HOME to the directory holding ontology/ and "
                    "data/)\n");
    return KG_ERR_IO;
  }
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s/ontology", home);
  kg_status st = load_dir(db, buf);
  if (st == KG_OK) {
    snprintf(buf, sizeof buf, "%s/data", home);
    st = load_dir(db, buf);
  }
  return st;
}

/* IRI naming a --named file: its file: IRI. */
static char *file_iri(const char *path)
{
  char *abs = realpath(path, NULL);
  const char *p = abs ? abs : path;
  size_t cap = strlen(p) * 3 + 8;
  char *iri = malloc(cap);
  if (iri) {
    size_t k = (size_t)snprintf(iri, cap, "file://");
    for (const unsigned char *c = (const unsigned char *)p; *c; c++) {
      if (strchr(" \"<>\\^`{|}%#?", *c) || *c < 0x21 || *c == 0x7F) {
        k += (size_t)snprintf(iri + k, cap - k, "%%%02X", *c);
      } else {
        iri[k++] = (char)*c;
      }
    }
    iri[k] = '\0';
  }
  free(abs);
  return iri;
}

/* The --inference option: rdfs or none; `dflt` when it is not given. */
static bool
inference_option(const options *o, kg_inference dflt, kg_inference *out)
{
  *out = dflt;
  if (!o->inference) {
    return true;
  }
  if (strcmp(o->inference, "rdfs") == 0) {
    *out = KG_INFERENCE_RDFS;
  } else if (strcmp(o->inference, "none") == 0) {
    *out = KG_INFERENCE_NONE;
  } else {
    return false;
  }
  return true;
}

/* Open the database the options name, loading --data and --named; the
 * article graph (no --store, no --data) gets RDFS inference by default. */
static int open_db(const options *o, kg_db **db)
{
  const char *spec = o->store ? o->store : ":memory:";
  bool article = !o->store && !o->ndata && !o->nnamed;
  /* For export, --base is the base of the data files; for query and
   * update it is the base of the request text. */
  const char *data_base = strcmp(o->command, "export") == 0 ? o->base : NULL;
  kg_inference regime = KG_INFERENCE_NONE;
  if (!inference_option(o, article ? KG_INFERENCE_RDFS : KG_INFERENCE_NONE,
                        &regime)) {
    return usage_error("unknown inference regime '%s' (use rdfs or none)",
                       o->inference);
  }
  if (o->store && (o->ndata || o->nnamed)) {
    return usage_error("%s", "--data and --named load into a temporary "
                             "in-memory store; to add files to --store, use "
                             "kgraph load");
  }
  char *msg = NULL;
  kg_status st = kg_db_open(spec, 0, &msg, db);
  if (st != KG_OK) {
    fprintf(stderr, "kgraph: %s\n", msg ? msg : kg_strstatus(st));
    kg_free(msg);
    return exit_code(st);
  }
  if (article) {
    /* the article's facts live in named graphs: queries read them all */
    kg_db_set_default_graph(*db, KG_DEFAULT_GRAPH_UNION);
    st = load_article(*db);
    if (st == KG_OK && regime != KG_INFERENCE_NONE &&
        (st = kg_db_set_inference(*db, regime)) != KG_OK) {
      return report(*db, st, NULL);
    }
    return exit_code(st);
  }
  for (size_t i = 0; i < o->ndata; i++) {
    st =
        kg_db_load_file(*db, o->data[i], KG_FORMAT_AUTO, data_base, NULL, NULL);
    if (st != KG_OK) {
      return report(*db, st, NULL);
    }
  }
  for (size_t i = 0; i < o->nnamed; i++) {
    /* IRI=FILE names the graph; a plain FILE is named by its file IRI. */
    const char *arg = o->named[i];
    const char *eq = strchr(arg, '=');
    const char *colon = strchr(arg, ':');
    bool has_iri = eq && colon && colon < eq;
    const char *path = has_iri ? eq + 1 : arg;
    char *iri = has_iri ? strndup(arg, (size_t)(eq - arg)) : file_iri(arg);
    st = iri ? kg_db_load_file(*db, path, KG_FORMAT_AUTO, data_base, iri, NULL)
             : KG_ERR_NOMEM;
    free(iri);
    if (st != KG_OK) {
      return report(*db, st, NULL);
    }
  }
  if (regime != KG_INFERENCE_NONE &&
      (st = kg_db_set_inference(*db, regime)) != KG_OK) {
    return report(*db, st, NULL);
  }
  return EXIT_OK;
}

static bool read_stream(FILE *f, char **out, size_t *len)
{
  size_t cap = 4096;
  size_t n = 0;
  char *buf = malloc(cap);
  if (!buf) {
    return false;
  }
  size_t got;
  while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char *nb = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
      if (!nb) {
        free(buf);
        return false;
      }
      buf = nb;
      cap *= 2;
    }
  }
  if (ferror(f)) {
    free(buf);
    return false;
  }
  *out = buf;
  *len = n;
  return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
  if (!s || !*s || *s == '-') {
    return false;
  }
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) {
    return false;
  }
  *out = v;
  return true;
}

/* A count of statements: digits, then k, M or G for thousands, millions,
 * billions (1000000, 1M). */
static bool parse_count(const char *s, uint64_t *out)
{
  if (!s || *s < '0' || *s > '9') {
    return false;
  }
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  uint64_t unit = 1;
  if (*end == 'k' || *end == 'K') {
    unit = 1000;
  } else if (*end == 'M') {
    unit = 1000000;
  } else if (*end == 'G') {
    unit = 1000000000;
  }
  if (unit != 1) {
    end++;
  }
  if (errno || *end || v > UINT64_MAX / unit) {
    return false;
  }
  *out = v * unit;
  return true;
}

static bool parse_seconds(const char *s, uint64_t *ms)
{
  if (!s || !*s || *s == '-') {
    return false;
  }
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || !(v > 0) || v > 1e9) {
    return false;
  }
  *ms = (uint64_t)(v * 1000.0 + 0.5);
  if (*ms == 0) {
    *ms = 1;
  }
  return true;
}

/* --timeout, --max-rows and --max-memory; false after a usage error. */
static bool parse_limits(const options *o, kg_limits *limits)
{
  if (o->timeout && !parse_seconds(o->timeout, &limits->timeout_ms)) {
    usage_error("--timeout needs a positive number of seconds, not '%s'",
                o->timeout);
    return false;
  }
  if (o->max_rows && !parse_u64(o->max_rows, &limits->max_rows)) {
    usage_error("--max-rows needs a whole number, not '%s'", o->max_rows);
    return false;
  }
  uint64_t mb = 0;
  if (o->max_memory &&
      (!parse_u64(o->max_memory, &mb) || mb == 0 || mb > UINT64_MAX >> 20)) {
    usage_error("--max-memory needs a positive whole number of megabytes, "
                "not '%s'",
                o->max_memory);
    return false;
  }
  limits->max_memory = mb << 20;
  return true;
}

/* ---- commands ---- */

/* Ctrl-C stops the running query or update; the store is left as it
 * was. */
static kg_db *volatile interrupted_db;
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
  (void)sig;
  interrupted = 1;
  kg_db_interrupt(interrupted_db);
}

static void catch_sigint(kg_db *db)
{
  interrupted_db = db;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
}

static void release_sigint(void)
{
  signal(SIGINT, SIG_DFL);
  interrupted_db = NULL;
}

static int cmd_query(const options *o)
{
  kg_results_format rf =
      isatty(STDOUT_FILENO) ? KG_RESULTS_TABLE : KG_RESULTS_TSV;
  kg_format gf = KG_FORMAT_TURTLE;
  kg_limits limits = {0, 0, 0};
  if (o->results && kg_results_format_from_name(o->results, &rf) != KG_OK) {
    return usage_error("unknown result format '%s' (use table, json, xml, "
                       "csv or tsv)",
                       o->results);
  }
  if (o->format && kg_format_from_name(o->format, &gf) != KG_OK) {
    return usage_error("unknown RDF format '%s' (use turtle, ntriples, "
                       "nquads, trig, rdfxml or dot)",
                       o->format);
  }
  if (!parse_limits(o, &limits)) {
    return EXIT_USAGE;
  }
  if (o->query_file && o->nargs) {
    return usage_error("%s", "give the query either as text or with -q, "
                             "not both");
  }
  if (!o->query_file && o->nargs != 1) {
    return usage_error("%s", o->nargs ? "give exactly one query"
                                      : "no query given (text, -q FILE "
                                        "or -)");
  }
  char *text = NULL;
  size_t len = 0;
  const char *source = "<query>";
  char *base_iri = NULL;
  if (o->query_file || strcmp(o->args[0], "-") == 0) {
    const char *path = o->query_file;
    FILE *f = !path || strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
      fprintf(stderr, "kgraph: %s: cannot open: %s\n", path, strerror(errno));
      return EXIT_RUNTIME;
    }
    bool ok = read_stream(f, &text, &len);
    if (f != stdin) {
      fclose(f);
      source = path;
      base_iri = file_iri(path);
    } else {
      source = "<stdin>";
    }
    if (!ok) {
      fprintf(stderr, "kgraph: %s: cannot read the query\n", source);
      free(base_iri);
      return EXIT_RUNTIME;
    }
  } else {
    text = strdup(o->args[0]);
    len = text ? strlen(text) : 0;
    if (!text) {
      return EXIT_RUNTIME;
    }
  }
  kg_db *db = NULL;
  catch_sigint(NULL);
  int rc = open_db(o, &db);
  kg_query *q = NULL;
  if (rc == EXIT_OK) {
    interrupted_db = db;
    kg_db_set_limits(db, &limits);
    kg_status st =
        kg_query_prepare(db, text, len, o->base ? o->base : base_iri, &q);
    if (interrupted) {
      kg_db_interrupt(db); /* Ctrl-C came while the data was loading */
    }
    if (st == KG_OK && !o->parse_only) {
      st = kg_query_write(q, rf, gf, kg_file_sink, stdout);
    }
    if (st == KG_OK && fflush(stdout) != 0) {
      fprintf(stderr, "kgraph: cannot write the results: %s\n",
              strerror(errno));
      rc = EXIT_RUNTIME;
    } else if (st != KG_OK) {
      fflush(stdout);
      rc = report(db, st, source);
    }
  }
  release_sigint();
  if (interrupted) {
    rc = 130;
  }
  kg_query_finalize(q);
  kg_db_close(db);
  free(text);
  free(base_iri);
  return rc;
}

static int cmd_update(const options *o)
{
  kg_limits limits = {0, 0, 0};
  kg_format dump = KG_FORMAT_AUTO;
  if (o->dump &&
      (kg_format_from_name(o->dump, &dump) != KG_OK || dump == KG_FORMAT_DOT)) {
    return usage_error("unknown RDF format '%s' (use nquads, trig, turtle, "
                       "ntriples or rdfxml)",
                       o->dump);
  }
  if (!parse_limits(o, &limits)) {
    return EXIT_USAGE;
  }
  if (o->request && o->nargs) {
    return usage_error("%s", "give the request either in a file or with -e, "
                             "not both");
  }
  if (!o->request && o->nargs != 1) {
    return usage_error("%s", o->nargs ? "give exactly one request file"
                                      : "no request given (FILE, -e "
                                        "REQUEST or -)");
  }
  if (o->store && (o->ndata || o->nnamed)) {
    return usage_error("%s", "--data and --named load into a temporary "
                             "in-memory store; to add files to --store, use "
                             "kgraph load");
  }
  char *text = NULL;
  size_t len = 0;
  const char *source = "<update>";
  char *base_iri = NULL;
  if (o->request) {
    text = strdup(o->request);
    len = text ? strlen(text) : 0;
    if (!text) {
      return EXIT_RUNTIME;
    }
  } else {
    const char *path = o->args[0];
    bool in = strcmp(path, "-") == 0;
    FILE *f = in ? stdin : fopen(path, "rb");
    if (!f) {
      fprintf(stderr, "kgraph: %s: cannot open: %s\n", path, strerror(errno));
      return EXIT_RUNTIME;
    }
    bool ok = read_stream(f, &text, &len);
    if (!in) {
      fclose(f);
      source = path;
      base_iri = file_iri(path);
    } else {
      source = "<stdin>";
    }
    if (!ok) {
      fprintf(stderr, "kgraph: %s: cannot read the request\n", source);
      free(base_iri);
      return EXIT_RUNTIME;
    }
  }
  kg_db *db = NULL;
  int rc = EXIT_OK;
  catch_sigint(NULL);
  if (o->store || o->ndata || o->nnamed) {
    if (o->store) {
      char *msg = NULL;
      kg_status st = kg_db_open(o->store, KG_OPEN_CREATE, &msg, &db);
      if (st != KG_OK) {
        fprintf(stderr, "kgraph: %s\n", msg ? msg : kg_strstatus(st));
        kg_free(msg);
        rc = exit_code(st);
      }
    } else {
      rc = open_db(o, &db);
    }
  } else {
    char *msg = NULL;
    kg_status st = kg_db_open(":memory:", 0, &msg, &db);
    if (st != KG_OK) {
      fprintf(stderr, "kgraph: %s\n", msg ? msg : kg_strstatus(st));
      kg_free(msg);
      rc = exit_code(st);
    }
  }
  if (rc == EXIT_OK) {
    interrupted_db = db;
    kg_db_set_limits(db, &limits);
    kg_update_options opts;
    memset(&opts, 0, sizeof opts);
    opts.load_files = o->allow_load;
    opts.nload_files = o->nallow_load;
    opts.parse_only = o->parse_only;
    kg_status st = KG_OK;
    int skipped = interrupted; /* Ctrl-C came while the data was loading */
    if (!skipped) {
      st = kg_db_update(db, text, len, o->base ? o->base : base_iri, &opts,
                        NULL);
    } else {
      fprintf(stderr, "kgraph: interrupted\n");
    }
    if (st == KG_OK && !skipped && o->dump && !o->parse_only) {
      st = kg_db_export(db, dump, NULL, kg_file_sink, stdout);
      if (st == KG_OK && fflush(stdout) != 0) {
        fprintf(stderr, "kgraph: cannot write the store: %s\n",
                strerror(errno));
        rc = EXIT_RUNTIME;
      }
    }
    if (st != KG_OK) {
      rc = report(db, st, source);
    }
  }
  release_sigint();
  if (interrupted) {
    rc = 130;
  }
  if (kg_db_close(db) != KG_OK && rc == EXIT_OK) {
    rc = EXIT_RUNTIME;
  }
  free(text);
  free(base_iri);
  return rc;
}

static double seconds_since(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) +
         (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Progress of `kgraph load` on a terminal: statements so far and the
 * rate, rewritten in place a few times a second. */
typedef struct progress {
  struct timespec t0;
  double last;   /* when the line was last written */
  uint64_t done; /* statements of the files already loaded */
  bool shown;
} progress;

static void show_progress(uint64_t statements, void *ctx)
{
  progress *p = ctx;
  double now = seconds_since(&p->t0);
  if (now - p->last < 0.25) {
    return;
  }
  p->last = now;
  p->shown = true;
  uint64_t n = p->done + statements;
  fprintf(stderr, "\r%llu triples, %.0f triples/s ", (unsigned long long)n,
          now > 0 ? (double)n / now : 0.0);
  fflush(stderr);
}

/* How far a load with --commit-every or --skip got: on failure, on
 * standard error, with the way to resume; else on standard output. */
static void print_report(const char *file, const kg_load_report *r, bool ok)
{
  FILE *out = ok ? stdout : stderr;
  if (!ok && !r->committed) {
    fprintf(out, "kgraph: %s: nothing committed\n", file);
    return;
  }
  if (ok) {
    fprintf(out, "%s: all %llu statements committed (%llu chunk%s)", file,
            (unsigned long long)r->committed, (unsigned long long)r->chunks,
            r->chunks == 1 ? "" : "s");
  } else {
    fprintf(out, "kgraph: %s: first %llu statements committed", file,
            (unsigned long long)r->committed);
  }
  if (r->line) {
    fprintf(out, ", through line %llu (byte %llu)", (unsigned long long)r->line,
            (unsigned long long)r->offset);
  }
  if (!ok) {
    fprintf(out, "; resume with --skip %llu", (unsigned long long)r->committed);
  }
  fputc('\n', out);
}

static int cmd_load(const options *o)
{
  if (!o->store) {
    return usage_error("%s", "load needs --store SPEC (a persistent store "
                             "to load into)");
  }
  if (!o->nargs) {
    return usage_error("%s", "no files to load");
  }
  kg_inference regime = KG_INFERENCE_NONE;
  if (!inference_option(o, KG_INFERENCE_NONE, &regime)) {
    return usage_error("unknown inference regime '%s' (use rdfs or none)",
                       o->inference);
  }
  kg_load_options lo = {KG_FORMAT_AUTO, o->base, o->graph, NULL, 0, 0};
  if (o->format && (kg_format_from_name(o->format, &lo.format) != KG_OK ||
                    lo.format == KG_FORMAT_DOT)) {
    return usage_error("unknown input format '%s' (use turtle, ntriples, "
                       "nquads, trig or rdfxml)",
                       o->format);
  }
  if (o->commit_every &&
      (!parse_count(o->commit_every, &lo.commit_every) || !lo.commit_every)) {
    return usage_error("bad --commit-every '%s' (a number of statements: "
                       "1000000 or 1M)",
                       o->commit_every);
  }
  if (o->skip && !parse_count(o->skip, &lo.skip)) {
    return usage_error("bad --skip '%s' (a number of statements)", o->skip);
  }
  if (o->skip && o->resume) {
    return usage_error("%s", "--skip and --resume exclude each other");
  }
  if ((o->skip || o->resume) && o->nargs != 1) {
    return usage_error("%s", o->skip ? "--skip needs exactly one file"
                                     : "--resume needs exactly one file");
  }
  if (o->resume) {
    lo.skip = KG_LOAD_RESUME;
  }
  bool chunked = o->commit_every || o->skip || o->resume;
  for (size_t i = 0; i < o->nargs; i++) {
    if (strcmp(o->args[i], "-") == 0 && lo.format == KG_FORMAT_AUTO) {
      return usage_error("%s", "reading standard input needs --format");
    }
  }
  kg_db *db = NULL;
  char *msg = NULL;
  kg_status st = kg_db_open(o->store, KG_OPEN_CREATE, &msg, &db);
  if (st != KG_OK) {
    fprintf(stderr, "kgraph: %s\n", msg ? msg : kg_strstatus(st));
    kg_free(msg);
    return exit_code(st);
  }
  int rc = EXIT_OK;
  uint64_t total = 0;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  progress prog = {t0, 0, 0, false};
  if (isatty(STDERR_FILENO)) {
    kg_db_set_progress(db, show_progress, &prog);
  }
  catch_sigint(db);
  for (size_t i = 0; i < o->nargs && rc == EXIT_OK && !interrupted; i++) {
    bool in = strcmp(o->args[i], "-") == 0;
    const char *name = in ? "<stdin>" : o->args[i];
    lo.stream = in ? stdin : NULL;
    kg_load_report r;
    if (!lo.skip && kg_db_load_checkpoint(db, name, &lo, &r) == KG_OK &&
        r.committed) {
      /* after a kill or a crash: say what --resume would have skipped */
      fprintf(stderr,
              "kgraph: %s: the store holds the first %llu statements of an "
              "unfinished load of it",
              name, (unsigned long long)r.committed);
      if (r.line) {
        fprintf(stderr, ", through line %llu (byte %llu)",
                (unsigned long long)r.line, (unsigned long long)r.offset);
      }
      fprintf(stderr, "; loading it from the start (--resume would skip "
                      "them)\n");
    }
    prog.done = total;
    st = kg_db_load(db, name, &lo, &r);
    if (prog.shown) {
      fputs("\r\033[K", stderr); /* clear the progress line */
      prog.shown = false;
    }
    if (st != KG_OK) {
      rc = report(db, st, NULL);
    }
    if (chunked) {
      print_report(name, &r, st == KG_OK);
    }
    total += r.statements;
  }
  if (rc == EXIT_OK && !interrupted && regime != KG_INFERENCE_NONE &&
      (st = kg_db_set_inference(db, regime)) != KG_OK) {
    rc = report(db, st, NULL);
  }
  release_sigint();
  if (interrupted) {
    rc = 130;
  }
  if (rc == EXIT_OK) {
    double secs = seconds_since(&t0);
    printf("%llu triples loaded in %.3f s (%.0f triples/s)\n",
           (unsigned long long)total, secs,
           secs > 0 ? (double)total / secs : 0.0);
  }
  st = kg_db_close(db);
  if (st != KG_OK && rc == EXIT_OK) {
    rc = EXIT_RUNTIME;
  }
  return rc;
}

static int cmd_export(const options *o)
{
  kg_format f = KG_FORMAT_TURTLE;
  if (o->format && kg_format_from_name(o->format, &f) != KG_OK) {
    return usage_error("unknown RDF format '%s' (use turtle, ntriples, "
                       "nquads, trig, rdfxml or dot)",
                       o->format);
  }
  if (o->graph && o->default_graph) {
    return usage_error("%s", "--graph and --default-graph exclude each other");
  }
  if (o->nargs) {
    return usage_error("unexpected argument '%s'", o->args[0]);
  }
  kg_db *db = NULL;
  int rc = open_db(o, &db);
  if (rc == EXIT_OK) {
    FILE *out = stdout;
    if (o->output && !(out = fopen(o->output, "wb"))) {
      fprintf(stderr, "kgraph: %s: cannot create: %s\n", o->output,
              strerror(errno));
      rc = EXIT_RUNTIME;
    } else {
      kg_status st = kg_db_export(db, f, o->default_graph ? "" : o->graph,
                                  kg_file_sink, out);
      if (st != KG_OK) {
        rc = report(db, st, NULL);
      }
      if ((out != stdout ? fclose(out) : fflush(out)) != 0 && !rc) {
        fprintf(stderr, "kgraph: %s: cannot write: %s\n",
                o->output ? o->output : "<stdout>", strerror(errno));
        rc = EXIT_RUNTIME;
      }
    }
  }
  kg_db_close(db);
  return rc;
}

static int cmd_stats(const options *o)
{
  if (o->nargs) {
    return usage_error("unexpected argument '%s'", o->args[0]);
  }
  kg_db *db = NULL;
  int rc = open_db(o, &db);
  kg_stats s;
  kg_status st = KG_OK;
  if (rc == EXIT_OK && (st = kg_db_stats(db, &s)) != KG_OK) {
    rc = report(db, st, NULL);
  }
  if (rc == EXIT_OK) {
    printf("statements  %llu\n", (unsigned long long)s.quads);
    printf("triples     %llu\n", (unsigned long long)s.triples);
    printf("graphs      %llu\n", (unsigned long long)s.graphs);
    printf("subjects    %llu\n", (unsigned long long)s.subjects);
    printf("predicates  %llu\n", (unsigned long long)s.predicates);
    printf("objects     %llu\n", (unsigned long long)s.objects);
    static const char classes[] =
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } "
        "GROUP BY ?class ORDER BY DESC(?n) ?class";
    kg_query *q = NULL;
    st = kg_query_prepare(db, classes, sizeof classes - 1, NULL, &q);
    if (st == KG_OK) {
      printf("classes\n");
      while ((st = kg_query_step(q)) == KG_ROW) {
        const kg_term *c = kg_query_value(q, 0);
        const kg_term *n = kg_query_value(q, 1);
        printf("  %-8s %s%s%s\n", n ? n->value : "0",
               c && c->kind == KG_TERM_BLANK ? "_:" : "", c ? c->value : "",
               "");
      }
    }
    if (st != KG_DONE && st != KG_OK) {
      rc = report(db, st, NULL);
    }
    kg_query_finalize(q);
  }
  kg_db_close(db);
  return rc;
}

static int cmd_prefix(const options *o)
{
  if (o->nargs != 0 && o->nargs != 2) {
    return usage_error("%s", "give NAME and IRI, or nothing to list");
  }
  if (o->nargs == 2 && !o->store) {
    return usage_error("%s", "setting a prefix needs --store SPEC");
  }
  kg_db *db = NULL;
  int rc = open_db(o, &db);
  if (rc == EXIT_OK && o->nargs == 2) {
    kg_status st = kg_db_set_prefix(db, o->args[0], o->args[1]);
    if (st != KG_OK) {
      rc = report(db, st, NULL);
    }
  } else if (rc == EXIT_OK) {
    for (size_t i = 0; i < kg_db_prefix_count(db); i++) {
      const char *p = NULL;
      const char *iri = NULL;
      kg_db_prefix(db, i, &p, &iri);
      printf("%s: <%s>\n", p, iri);
    }
  }
  kg_db_close(db);
  return rc;
}

static const struct {
  const char *name;
  int (*run)(const options *);
  const char *usage;
} commands[] = {
    {"query", cmd_query, usage_query}, {"update", cmd_update, usage_update},
    {"load", cmd_load, usage_load},    {"export", cmd_export, usage_export},
    {"stats", cmd_stats, usage_stats}, {"prefix", cmd_prefix, usage_prefix},
};

static int help(const char *topic)
{
  if (!topic) {
    fputs(usage_main, stdout);
    return EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
    if (strcmp(topic, commands[i].name) == 0) {
      fputs(commands[i].usage, stdout);
      return EXIT_OK;
    }
  }
  return usage_error("unknown command '%s'", topic);
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fputs(usage_main, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    return help(NULL);
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("kgraph %s\n", kg_version());
    return EXIT_OK;
  }
  if (strcmp(cmd, "help") == 0) {
    return argc > 3 ? usage_error("%s", "help takes one command name")
                    : help(argc == 3 ? argv[2] : NULL);
  }
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
    if (strcmp(cmd, commands[i].name) != 0) {
      continue;
    }
    for (int k = 2; k < argc; k++) {
      if (strcmp(argv[k], "--") == 0) {
        break;
      }
      if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
        fputs(commands[i].usage, stdout);
        return EXIT_OK;
      }
    }
    options o = {0};
    o.command = cmd;
    int rc = parse_args(argc, argv, &o);
    if (rc == EXIT_OK) {
      rc = commands[i].run(&o);
    }
    free_options(&o);
    return rc;
  }
  return usage_error("unknown command '%s'", cmd);
}
