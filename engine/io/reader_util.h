/* Helpers shared by the RDF readers (implemented in reader.c). */
#ifndef KG_READER_UTIL_H
#define KG_READER_UTIL_H

#include "../term.h"

/* Check that `text` is UTF-8, without NUL bytes unless `nul_ok`. On
 * failure records a KG_ERR_PARSE in `err` naming the line and column of
 * the first bad byte and returns KG_ERR_PARSE. */
kg_status
kg__read_check_text(const char *text, size_t len, bool nul_ok, kg__err *err);

/* True if `iri` starts with a URI scheme and ':' (RFC 3986 3.1). */
bool kg__iri_has_scheme(const char *iri);

/* The first character of iri[0..len) that an IRI cannot hold and the
 * Turtle family's IRIREF excludes (C0 controls, space, <>"{}|^`\), or -1
 * when there is none. A reader refuses such an IRI even when it came
 * escaped: no writer could write it back. */
int kg__iri_bad_char(const char *iri, size_t len);

/* True if `s` matches LANGTAG of the Turtle family (without the '@'):
 * letters, then '-' and letters or digits, repeated. Readers refuse other
 * tags, which no writer of the Turtle family could write back. */
bool kg__is_langtag(const char *s);

/* Replace, in place, every byte of `s` that is not part of valid UTF-8
 * with '?', so that a message quoting the input stays valid text. */
void kg__utf8_scrub(char *s);

/* 1-based line and column (in code points) of byte `offset` of `text`.
 * Lines end at '\n'. An offset past the end gives the position just after
 * the last character. */
void kg__text_position(const char *text,
                       size_t len,
                       size_t offset,
                       unsigned *line,
                       unsigned *column);

/* Byte offset of the start of 1-based line `line` (len if there are fewer
 * lines). */
size_t kg__text_line_start(const char *text, size_t len, unsigned line);

#endif
