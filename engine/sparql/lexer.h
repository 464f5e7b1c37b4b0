/* Tokens of SPARQL 1.1 (section 19.8 of the Query Language). */
#ifndef KG_SPARQL_LEXER_H
#define KG_SPARQL_LEXER_H

#include "../term.h"

typedef enum kg__tok_kind {
  KG__T_EOF = 0,
  KG__T_IRI,     /* <...> */
  KG__T_PNAME,   /* prefix:local or prefix: */
  KG__T_BNODE,   /* _:label */
  KG__T_VAR,     /* ?name or $name */
  KG__T_LANGTAG, /* @en-GB */
  KG__T_INTEGER, /* optionally signed */
  KG__T_DECIMAL,
  KG__T_DOUBLE,
  KG__T_STRING, /* any of the four quotings */
  KG__T_NIL,    /* ( ) */
  KG__T_ANON,   /* [ ] */
  KG__T_WORD,   /* a keyword, a function name, a, true, false */
  KG__T_PUNCT   /* { } ( ) [ ] . , ; * + - / ? ! ^ | = != < > <= >= && || ^^ */
} kg__tok_kind;

typedef struct kg__tok {
  kg__tok_kind kind;
  size_t start; /* byte offsets in the text */
  size_t end;
  unsigned line;
  size_t line_start; /* offset of the line's first byte (columns are
                        counted in characters from there) */
  char p[3];         /* PUNCT: the punctuation */
} kg__tok;

typedef struct kg__tokens {
  kg__tok *v;
  size_t n;
} kg__tokens;

/* Split `text` into tokens (the last one is EOF). On a lexical error
 * returns KG_ERR_PARSE with `err` set. */
kg_status kg__lex(const char *text, size_t len, kg__tokens *out, kg__err *err);
void kg__tokens_free(kg__tokens *t);

/* Column of a token in characters, 1-based. */
unsigned kg__tok_column(const char *text, const kg__tok *t);

/* Decode a STRING token's content (escapes processed) into `out`. */
kg_status kg__lex_string(const char *text, const kg__tok *t, kg__buf *out);
/* Decode an IRI token's content (\u escapes processed) into `out`. */
kg_status kg__lex_iri(const char *text, const kg__tok *t, kg__buf *out);

#endif
