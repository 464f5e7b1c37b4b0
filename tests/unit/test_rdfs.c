/* RDFS materialisation: each rule, chains, literals, no input echoed. */
#undef NDEBUG
#include "io/io.h"
#include "reason/rdfs.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t sink(const void *p, size_t n, void *ctx)
{
  kg__buf_append(ctx, p, n);
  return n;
}

/* Closure of `ttl` as sorted N-Triples. */
static char *closure(const char *ttl)
{
  kg__quads in = {0}, out = {0};
  kg__err err = {0};
  kg_status st = kg__read_rdf(KG_FORMAT_TURTLE, ttl, strlen(ttl), "http://e/",
                              NULL, &in, NULL, &err);
  if (st != KG_OK) {
    fprintf(stderr, "%u:%u: %s\n", err.line, err.column, err.msg);
  }
  assert(st == KG_OK);
  assert(kg__rdfs_closure(&in, NULL, &out) == KG_OK);
  kg__buf b = {0};
  kg__out o = {sink, &b, false};
  assert(kg__write_rdf(KG_FORMAT_NTRIPLES, &out, NULL, &o) == KG_OK);
  kg__quads_free(&in);
  kg__quads_free(&out);
  return kg__buf_take(&b);
}

#define EXPECT(ttl, nt)                                                        \
  do {                                                                         \
    char *got_ = closure(ttl);                                                 \
    if (strcmp(got_, nt) != 0) {                                               \
      fprintf(stderr, "%s:%d: got\n%s\nwant\n%s\n", __FILE__, __LINE__, got_,  \
              nt);                                                             \
      abort();                                                                 \
    }                                                                          \
    free(got_);                                                                \
  } while (0)

#define PRE                                                                    \
  "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "                   \
  "@prefix : <http://e/> . "
#define TYPE "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#define SC   "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
#define SP   "<http://www.w3.org/2000/01/rdf-schema#subPropertyOf>"

int main(void)
{
  /* nothing to infer */
  EXPECT(PRE ":a :p :b .", "");
  /* rdfs9 + rdfs11 */
  EXPECT(PRE ":A rdfs:subClassOf :B . :B rdfs:subClassOf :C . :x a :A .",
         "<http://e/A> " SC " <http://e/C> .\n"
         "<http://e/x> " TYPE " <http://e/B> .\n"
         "<http://e/x> " TYPE " <http://e/C> .\n");
  /* rdfs2 and rdfs3; rdfs3 never types a literal */
  EXPECT(PRE ":p rdfs:domain :D ; rdfs:range :R . :x :p :y . :z :p \"lit\" .",
         "<http://e/x> " TYPE " <http://e/D> .\n"
         "<http://e/y> " TYPE " <http://e/R> .\n"
         "<http://e/z> " TYPE " <http://e/D> .\n");
  /* rdfs5 + rdfs7, then the domain of the superproperty */
  EXPECT(PRE ":p rdfs:subPropertyOf :q . :q rdfs:subPropertyOf :r . "
             ":r rdfs:domain :D . :x :p :y .",
         "<http://e/p> " SP " <http://e/r> .\n"
         "<http://e/x> <http://e/q> <http://e/y> .\n"
         "<http://e/x> <http://e/r> <http://e/y> .\n"
         "<http://e/x> " TYPE " <http://e/D> .\n");
  /* a schema triple derived from data: :sub is a subproperty of
   * subClassOf, so :A :sub :B makes :A a subclass of :B */
  EXPECT(PRE ":sub rdfs:subPropertyOf rdfs:subClassOf . :A :sub :B . :x a :A .",
         "<http://e/A> " SC " <http://e/B> .\n"
         "<http://e/x> " TYPE " <http://e/B> .\n");
  /* cycles terminate */
  EXPECT(PRE ":A rdfs:subClassOf :B . :B rdfs:subClassOf :A . :x a :A .",
         "<http://e/A> " SC " <http://e/A> .\n"
         "<http://e/B> " SC " <http://e/B> .\n"
         "<http://e/x> " TYPE " <http://e/B> .\n");
  /* empty input */
  EXPECT("", "");
  return 0;
}
