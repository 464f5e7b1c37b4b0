/* kgraph's SPARQL 1.1 parser: query and update text to the algebra
 * (algebra.h), with the static checks of the grammar's notes (variable
 * scope of BIND and SELECT expressions, grouping, blank node labels,
 * VALUES arity, no variables in DATA, no blank nodes in DELETE). */
#ifndef KG_SPARQL_PARSER_H
#define KG_SPARQL_PARSER_H

#include "algebra.h"

/* Parse a query. `base` (may be NULL) resolves relative IRIs. On error
 * returns KG_ERR_PARSE (syntax), KG_ERR_DENIED (SERVICE) or KG_ERR_NOMEM
 * with `err` set (line and column of the offending token). */
kg_status kg__parse_query(const char *text,
                          size_t len,
                          const char *base,
                          kg__query **out,
                          kg__err *err);

/* ---- SPARQL 1.1 Update ---- */
typedef enum kg__uop_kind {
  KG__U_INSERT_DATA = 1,
  KG__U_DELETE_DATA,
  KG__U_DELETE_WHERE,
  KG__U_MODIFY, /* [WITH] DELETE {} INSERT {} [USING] WHERE {} */
  KG__U_LOAD,
  KG__U_CLEAR,
  KG__U_DROP,
  KG__U_CREATE,
  KG__U_ADD,
  KG__U_MOVE,
  KG__U_COPY
} kg__uop_kind;

typedef enum kg__gref {
  KG__GREF_GRAPH = 1, /* `graph` */
  KG__GREF_DEFAULT,
  KG__GREF_NAMED,
  KG__GREF_ALL
} kg__gref;

typedef struct kg__uop {
  kg__uop_kind kind;
  bool silent;
  /* CLEAR, DROP, CREATE: target; LOAD: INTO (GRAPH) or the default */
  kg__gref target;
  kg_term graph;
  /* ADD, MOVE, COPY: from `graph` (or the default graph) to `dst` */
  kg__gref dst_ref;
  kg_term dst;
  /* LOAD: the document */
  kg_term doc;
  /* DATA, templates: graph mode DEFAULT means the default graph (or the
   * WITH graph); blank nodes are constants of kind BLANK */
  kg__quadpat *del;
  size_t ndel;
  kg__quadpat *ins;
  size_t nins;
  /* DELETE WHERE, MODIFY: the pattern, as a query (its dataset from WITH
   * and USING) */
  kg__query *where;
  kg_term with;
} kg__uop;

typedef struct kg__update {
  kg__uop *ops;
  size_t n;
} kg__update;

kg_status kg__parse_update(const char *text,
                           size_t len,
                           const char *base,
                           kg__update **out,
                           kg__err *err);
void kg__update_free(kg__update *u);

#endif
