/* Shared machinery of the RDF writers (engine/io/writer.c) and the entry
 * points of each syntax's writer. Only the writers include this header;
 * everything else calls kg__write_rdf() from io.h. */
#ifndef KG_IO_WRITER_H
#define KG_IO_WRITER_H

#include "io.h"

#include <stdint.h>

/* Marks a statement position that holds no blank node. */
#define KG__NO_BNODE SIZE_MAX

/* State of one kg__write_rdf() call, handed to the syntax's writer.
 *
 * The statements in `q` are already checked, sorted and in output order:
 * kg__write_rdf() validated the term kinds, normalised literals (a
 * language-tagged literal carries no datatype; xsd:string is dropped so
 * that "x" and "x"^^xsd:string are one term), sorted and deduplicated the
 * statements (merging graphs for the syntaxes without them) and, except
 * for N-Triples and N-Quads, moved the rdf:type statements of each
 * subject in front of its other statements.
 *
 * `bnode` holds three numbers per statement: the new label number of its
 * subject, object and graph name, or KG__NO_BNODE when that term is not a
 * blank node. Blank node number k is written as "b<k>". */
typedef struct kg__writer {
  kg__quads *q;
  const size_t *bnode;
  const kg__prefixes *prefixes; /* may be NULL */
  kg__out *out;
  kg__buf buf; /* output not yet handed to `out` */
  bool dry;    /* when set, output calls write nothing */
} kg__writer;

/* ---- output ---- */
void kg__w_write(kg__writer *w, const void *data, size_t len);
void kg__w_puts(kg__writer *w, const char *s);
void kg__w_putc(kg__writer *w, char c);
/* The blank node label "b<k>", without any "_:". */
void kg__w_bnode(kg__writer *w, size_t k);
/* One code point as UTF-8. */
void kg__w_utf8(kg__writer *w, uint32_t cp);
/* "\uXXXX" (or "\UXXXXXXXX" above U+FFFF), upper-case hex. */
void kg__w_uchar(kg__writer *w, uint32_t cp);

/* ---- text ---- */
/* Decode the code point at s[*i] and advance *i. A byte that does not start
 * a valid UTF-8 sequence gives U+FFFD and advances by one: the writers
 * replace invalid UTF-8 with U+FFFD rather than emit it. */
uint32_t kg__w_next(const char *s, size_t len, size_t *i);
/* The term's value, never NULL. */
const char *kg__w_value(const kg_term *t);
bool kg__w_is_rdf_type(const kg_term *p);

/* ---- the Turtle family ---- */
/* PN_PREFIX of Turtle ("" is allowed: the empty prefix). */
bool kg__w_is_pn_prefix(const char *s);
/* PN_LOCAL of Turtle without backslash escapes ("" is allowed: a bare
 * "prefix:" names the namespace itself). */
bool kg__w_is_pn_local(const char *s, size_t len);
/* Index in `p` of the prefix that writes `iri` as a prefixed name, or
 * SIZE_MAX. The longest namespace wins; among prefixes bound to the same
 * namespace, the first in sorted order. */
size_t kg__w_prefix_for(const kg__prefixes *p, const char *iri, size_t len);
/* LANGTAG of Turtle and N-Triples, without the '@'. */
bool kg__w_is_langtag(const char *s);
/* True when every character of the IRI may appear unescaped in IRIREF:
 * none of U+0000..U+0020 < > " { } | ^ ` \. Such characters cannot be
 * written at all: IRIREF's grammar admits them as \uXXXX escapes, but the
 * W3C test suites reject exactly that (turtle-syntax-bad-uri-escape-01..03),
 * and so do serd and Raptor, so the Turtle family refuses those IRIs. */
bool kg__w_iriref_ok(const char *iri, size_t len);
/* <iri>; characters IRIREF excludes (refused earlier) would be \uXXXX. */
void kg__w_iriref(kg__writer *w, const char *iri, size_t len);
/* A quoted string literal. Always escaped: " \ LF CR TAB as ECHAR, other
 * C0 controls and DEL as \uXXXX. With `bf_echar`, BS and FF use \b and \f
 * (N-Triples) instead of \u0008 and \u000C. */
void kg__w_string(kg__writer *w, const char *s, size_t len, bool bf_echar);

/* ---- the syntaxes ----
 * Each returns KG_OK or, for RDF/XML, KG_ERR_ARG (statements RDF/XML
 * cannot express; nothing is written then). Allocation and sink failures
 * are collected by kg__write_rdf() from `w->buf` and `w->out`; a writer
 * that fails an allocation of its own returns KG_ERR_NOMEM. */
kg_status kg__write_turtle(kg__writer *w, bool trig);
kg_status kg__write_ntriples(kg__writer *w, bool quads);
kg_status kg__write_rdfxml(kg__writer *w);
kg_status kg__write_dot(kg__writer *w);

#endif
