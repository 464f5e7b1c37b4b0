/* Readers and writers: text <-> kgraph's own terms. No Redland type appears
 * here; each reader and writer keeps its library (serd, Raptor) inside its
 * own file. */
#ifndef KG_IO_H
#define KG_IO_H

#include "../term.h"

/* ---- readers ----
 * Parse `len` bytes of `text` in `format` (not AUTO, not DOT) and append
 * every statement to `out`: triples get graph `graph` (NULL or kind 0 for
 * the default graph), quads keep their own graph name. Prefix directives go
 * into `prefixes` (may be NULL). `base` may be NULL.
 * On a syntax error returns KG_ERR_PARSE with `err` holding the message,
 * line and column (1-based, 0 when unknown); `out` may then hold part of
 * the input, which the caller discards. Never touches a file or the
 * network: RDF/XML external entities, DTDs and XInclude are not followed.
 */
kg_status kg__read_rdf(kg_format format,
                       const char *text,
                       size_t len,
                       const char *base,
                       const kg_term *graph,
                       kg__quads *out,
                       kg__prefixes *prefixes,
                       kg__err *err);

/* Append to `out` a blank-node label prefix that no other read, in this
 * process or another, is given: "r<token><number>_" (see reader.c). The
 * readers give every call's labels such a prefix of their own. */
kg_status kg__blank_prefix(kg__buf *out);

/* The readers kg__read_rdf() dispatches to, once it has checked the
 * arguments and the text (not NULL; UTF-8; NUL bytes only for the Turtle
 * family). Reader for the Turtle family (Turtle, TriG, N-Triples,
 * N-Quads). */
kg_status kg__read_turtle_family(kg_format format,
                                 const char *text,
                                 size_t len,
                                 const char *base,
                                 const kg_term *graph,
                                 kg__quads *out,
                                 kg__prefixes *prefixes,
                                 kg__err *err);

/* Reader for RDF/XML. */
kg_status kg__read_rdfxml(const char *text,
                          size_t len,
                          const char *base,
                          const kg_term *graph,
                          kg__quads *out,
                          kg__prefixes *prefixes,
                          kg__err *err);

/* ---- RDF writers ----
 * Write `q` in `format`. The writer may reorder `q` (it sorts for
 * deterministic output). Formats without graphs (Turtle, N-Triples,
 * RDF/XML, DOT) merge the graphs and drop duplicate triples. Prefixes
 * (may be NULL) abbreviate IRIs where the syntax allows. Blank nodes are
 * relabelled b0, b1, ... in order of first appearance in the output.
 * Returns KG_OK, KG_ERR_IO when the sink failed, KG_ERR_NOMEM. */
kg_status kg__write_rdf(kg_format format,
                        kg__quads *q,
                        const kg__prefixes *prefixes,
                        kg__out *out);

/* ---- SPARQL result writers ----
 * Streaming: begin, one call per row, end. Formats that need every row
 * first (the text table) buffer internally. */
typedef struct kg__results_writer kg__results_writer;

kg_status kg__results_begin(kg_results_format format,
                            kg__out *out,
                            size_t ncols,
                            const char *const *names,
                            kg__results_writer **w);
/* values[i] NULL (or kind 0) = unbound */
kg_status kg__results_row(kg__results_writer *w, const kg_term *const *values);
/* Finish the document and free the writer (NULL allowed). */
kg_status kg__results_end(kg__results_writer *w);
/* Discard a writer without finishing its output (NULL allowed). */
void kg__results_abort(kg__results_writer *w);
/* ASK: write a boolean result. JSON and XML use the spec's boolean form.
 * CSV and TSV have none in the spec; they get a one-column table whose
 * variable is `_askResult` and whose one row is true or false (as Jena
 * writes them); the text table likewise. */
kg_status
kg__results_boolean(kg_results_format format, kg__out *out, int value);

#endif
