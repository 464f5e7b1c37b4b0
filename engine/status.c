/* Static tables: status names, format names, version. */
#include "kgraph.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *kg_version(void)
{
  return KG_VERSION;
}

const char *kg_strstatus(kg_status st)
{
  switch (st) {
  case KG_OK:
    return "ok";
  case KG_ROW:
    return "row ready";
  case KG_DONE:
    return "no more rows";
  case KG_ERR_ARG:
    return "invalid argument";
  case KG_ERR_NOMEM:
    return "out of memory";
  case KG_ERR_IO:
    return "I/O error";
  case KG_ERR_PARSE:
    return "syntax error";
  case KG_ERR_QUERY:
    return "query evaluation failed";
  case KG_ERR_STORE:
    return "store error";
  case KG_ERR_DENIED:
    return "access denied";
  case KG_ERR_LIMIT:
    return "limit reached";
  case KG_ERR_INTERNAL:
    return "internal error";
  }
  return "unknown status";
}

void kg_free(void *ptr)
{
  free(ptr);
}

size_t kg_file_sink(const void *buf, size_t len, void *ctx)
{
  return fwrite(buf, 1, len, (FILE *)ctx);
}

static const struct {
  const char *name;
  kg_format format;
} format_names[] = {
    {"turtle", KG_FORMAT_TURTLE},     {"ttl", KG_FORMAT_TURTLE},
    {"ntriples", KG_FORMAT_NTRIPLES}, {"nt", KG_FORMAT_NTRIPLES},
    {"nquads", KG_FORMAT_NQUADS},     {"nq", KG_FORMAT_NQUADS},
    {"trig", KG_FORMAT_TRIG},         {"rdfxml", KG_FORMAT_RDFXML},
    {"xml", KG_FORMAT_RDFXML},        {"rdf", KG_FORMAT_RDFXML},
    {"owl", KG_FORMAT_RDFXML},        {"dot", KG_FORMAT_DOT},
};

kg_status kg_format_from_name(const char *name, kg_format *out)
{
  for (size_t i = 0; name && i < sizeof format_names / sizeof *format_names;
       i++) {
    if (strcasecmp(name, format_names[i].name) == 0) {
      *out = format_names[i].format;
      return KG_OK;
    }
  }
  return KG_ERR_ARG;
}

kg_format kg_format_from_path(const char *path)
{
  const char *slash = path ? strrchr(path, '/') : NULL;
  const char *dot = path ? strrchr(slash ? slash : path, '.') : NULL;
  kg_format f = KG_FORMAT_AUTO;
  if (dot && kg_format_from_name(dot + 1, &f) == KG_OK) {
    return f;
  }
  return KG_FORMAT_AUTO;
}

const char *kg_format_name(kg_format format)
{
  switch (format) {
  case KG_FORMAT_AUTO:
    return "auto";
  case KG_FORMAT_TURTLE:
    return "turtle";
  case KG_FORMAT_NTRIPLES:
    return "ntriples";
  case KG_FORMAT_NQUADS:
    return "nquads";
  case KG_FORMAT_TRIG:
    return "trig";
  case KG_FORMAT_RDFXML:
    return "rdfxml";
  case KG_FORMAT_DOT:
    return "dot";
  }
  return "unknown";
}

kg_status kg_results_format_from_name(const char *name, kg_results_format *out)
{
  static const struct {
    const char *name;
    kg_results_format format;
  } names[] = {{"json", KG_RESULTS_JSON},
               {"xml", KG_RESULTS_XML},
               {"csv", KG_RESULTS_CSV},
               {"tsv", KG_RESULTS_TSV},
               {"table", KG_RESULTS_TABLE}};
  for (size_t i = 0; name && i < sizeof names / sizeof *names; i++) {
    if (strcasecmp(name, names[i].name) == 0) {
      *out = names[i].format;
      return KG_OK;
    }
  }
  return KG_ERR_ARG;
}
