/* Values while a query runs.
 *
 * A value is a kg__vid: the store's ID of a term, or the ID of a term the
 * query computed and the store does not hold (a "local" ID, top bit set),
 * or 0 for unbound. A term that the store holds is always named by the
 * store's ID, so two IDs are equal exactly when the terms are the same RDF
 * term: joins, DISTINCT and GROUP BY compare IDs only.
 *
 * Expressions work on kg__val: a term view plus its ID when known. Strings
 * that expressions make live in the scratch arena until it is reset. */
#ifndef KG_SPARQL_VALUE_H
#define KG_SPARQL_VALUE_H

#include "../store/store.h"

#include <stdint.h>

typedef uint64_t kg__vid;

#define KG__VID_LOCAL (UINT64_C(1) << 63)

extern const char kg__xsd[]; /* "http://www.w3.org/2001/XMLSchema#" */

/* ---- scratch memory, reset in one call ---- */
typedef struct kg__arena_chunk kg__arena_chunk;
typedef struct kg__arena {
  kg__arena_chunk *head;
  bool failed;
} kg__arena;

typedef struct kg__arena_mark {
  kg__arena_chunk *chunk;
  size_t used;
} kg__arena_mark;

void *kg__arena_alloc(kg__arena *a, size_t n);
char *kg__arena_strndup(kg__arena *a, const char *s, size_t n);
/* Everything allocated after `kg__arena_mark()` is released by
 * kg__arena_release(); marks nest. */
kg__arena_mark kg__arena_get_mark(const kg__arena *a);
void kg__arena_release(kg__arena *a, kg__arena_mark m);
void kg__arena_free(kg__arena *a);

/* ---- terms the query made: owned, hashed, numbered ---- */
typedef struct kg__qdict {
  kg_term *terms;
  size_t n;
  size_t cap;
  uint32_t *slots; /* open addressing: index + 1, 0 = empty */
  size_t nslots;
} kg__qdict;

kg_status kg__qdict_intern(kg__qdict *d, const kg_term *t, kg__vid *out);
/* NULL when `id` is not a local ID of this dictionary. */
const kg_term *kg__qdict_get(const kg__qdict *d, kg__vid id);
void kg__qdict_free(kg__qdict *d);
uint64_t kg__qterm_hash(const kg_term *t);

/* ---- the value context of one query ---- */
typedef struct kg__vctx {
  kg__store *store;
  kg__qdict dict;
  kg__arena arena;
  kg_status failure; /* first out-of-memory or store error, else KG_OK */
} kg__vctx;

/* View of the term named by `id` (kind 0 for 0). */
kg_status kg__vctx_term(kg__vctx *c, kg__vid id, kg_term *out);
/* ID of `t`: the store's when it holds the term, else a local one. */
kg_status kg__vctx_intern(kg__vctx *c, const kg_term *t, kg__vid *out);
/* The store's ID of `t`, or 0 when the store has never seen it. */
kg__vid kg__vctx_lookup(kg__vctx *c, const kg_term *t);
void kg__vctx_free(kg__vctx *c);

/* ---- literal datatypes kgraph knows ---- */
typedef enum kg__dt {
  KG__DT_NONE = 0, /* not a literal */
  KG__DT_STRING,   /* simple literal, xsd:string */
  KG__DT_LANG,     /* language-tagged string */
  KG__DT_BOOLEAN,
  KG__DT_INTEGER, /* xsd:integer and the types derived from it */
  KG__DT_DECIMAL,
  KG__DT_FLOAT,
  KG__DT_DOUBLE,
  KG__DT_DATETIME,
  KG__DT_DATE,
  KG__DT_TIME,
  KG__DT_DURATION, /* xsd:duration, dayTimeDuration, yearMonthDuration */
  KG__DT_OTHER
} kg__dt;

kg__dt kg__term_dt(const kg_term *t);
bool kg__dt_numeric(kg__dt dt);

/* ---- an expression's value ---- */
typedef struct kg__val {
  kg__vid id; /* when known, else 0 */
  kg_term t;  /* kind 0: error (or unbound) */
} kg__val;

static inline bool kg__val_ok(const kg__val *v)
{
  return v->t.kind != 0;
}

/* ---- numbers ---- */
typedef enum kg__numtype {
  KG__NUM_INTEGER = 1,
  KG__NUM_DECIMAL,
  KG__NUM_FLOAT,
  KG__NUM_DOUBLE
} kg__numtype;

/* Decimals are fixed-point: value * 10^18 in a 128-bit integer. */
__extension__ typedef __int128 kg__dec;
#define KG__DEC_SCALE ((kg__dec)1000000000000000000LL)

typedef struct kg__num {
  kg__numtype type;
  int64_t i;
  kg__dec d;
  int scale;  /* decimal: fraction digits to write at least (as written, or
                 as arithmetic gives them); -1: at least one */
  double f;   /* float and double */
  bool plain; /* float, double: an integral result of arithmetic is
                 written as plain digits ("6", as the W3C results do) */
} kg__num;

/* Parse a numeric literal (valid lexical form of a numeric datatype). */
bool kg__num_of(const kg_term *t, kg__num *out);
/* Promote both to their common type. */
void kg__num_promote(kg__num *a, kg__num *b);
double kg__num_double(const kg__num *n);
/* -1, 0, 1; 2 when unordered (NaN). */
int kg__num_cmp(const kg__num *a, const kg__num *b);
/* Arithmetic: op is '+', '-', '*', '/'. false on error. */
bool kg__num_arith(char op, const kg__num *a, const kg__num *b, kg__num *out);
/* The canonical lexical form and datatype IRI (static) of `n`. */
const char *kg__num_format(const kg__num *n, char *buf, size_t cap);
const char *kg__num_datatype(kg__numtype t);
/* Lexical form of a double (canonical XSD form "1.0E0"). */
void kg__double_format(double v, bool is_float, char *buf, size_t cap);
/* XPath's cast of a double (a float when is_float) to xs:string: "0" or
 * "-0" for zero, an xs:decimal without exponent for 1e-6 <= |v| < 1e6
 * ("2100", "0.000001", "0.2"), the canonical form otherwise ("1.0E6"). */
void kg__double_string(double v, bool is_float, char *buf, size_t cap);
bool kg__dec_parse(const char *s, size_t len, kg__dec *out);
/* The decimal of the shortest digits that read back as v, rounded to 18
 * fraction digits; false for NaN, infinities and |v| > 1e20. */
bool kg__dec_of_double(double v, kg__dec *out);
void kg__dec_format(kg__dec d, int scale, char *buf, size_t cap);

/* ---- dates and times ---- */
typedef struct kg__datetime {
  int64_t year;
  int month, day, hour, minute;
  int64_t micro; /* seconds * 10^6 within the minute */
  int tz;        /* minutes east of UTC */
  bool has_tz;
  bool has_date;
  bool has_time;
  int frac_digits; /* digits of the fraction written */
} kg__datetime;

bool kg__datetime_parse(const char *s,
                        size_t len,
                        kg__dt dt,
                        kg__datetime *out);
/* Compare: -1, 0, 1, or 2 when indeterminate (one has a timezone, the other
 * not, and they are closer than 14 hours). */
int kg__datetime_cmp(const kg__datetime *a, const kg__datetime *b);

/* ---- comparisons with SPARQL semantics ---- */
/* Result of a comparison that may fail. */
enum { KG__CMP_ERROR = 99 };

/* RDFterm-equal extended by the operator mapping: 1, 0, or -1 on a type
 * error (two literals that cannot be compared and are not the same term). */
int kg__val_equal(const kg__val *a, const kg__val *b);
/* `<` ordering of the operator mapping: -1, 0, 1 or KG__CMP_ERROR. */
int kg__val_compare(const kg__val *a, const kg__val *b);
/* ORDER BY: total order over all terms (unbound first). */
int kg__val_order(const kg__val *a, const kg__val *b);
/* Effective boolean value: 1, 0, or -1 on error. */
int kg__val_ebv(const kg__val *v);

/* Value helpers that allocate in the context's arena. */
kg__val kg__val_error(void);
kg__val kg__val_bool(bool b);
kg__val kg__val_string(kg__vctx *c, const char *s, size_t len);
kg__val kg__val_typed(kg__vctx *c, const char *s, size_t len, const char *dt);
kg__val kg__val_lang(kg__vctx *c, const char *s, size_t len, const char *lang);
kg__val kg__val_num(kg__vctx *c, const kg__num *n);
kg__val kg__val_int(kg__vctx *c, int64_t i);
kg__val kg__val_iri(kg__vctx *c, const char *s, size_t len);
/* The value of `id` (error for 0). */
kg__val kg__val_of_id(kg__vctx *c, kg__vid id);
/* ID for a value (interning it when computed). 0 for an error. */
kg__vid kg__val_id(kg__vctx *c, const kg__val *v);

/* Resolve `ref` (`len` bytes) against `base` (RFC 3986; NULL: none).
 * Caller frees; NULL when out of memory. */
char *kg__iri_resolve(const char *base, const char *ref, size_t len);

/* A literal is a string literal (simple, xsd:string or language-tagged). */
bool kg__val_is_string(const kg__val *v);
bool kg__val_is_simple(const kg__val *v);

#endif
