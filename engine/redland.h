/* The one place that owns Redland's global state (librdf world, Raptor
 * world, Rasqal world). Redland is not thread-safe here, so every use of
 * any Redland object happens between kg__redland_acquire() and
 * kg__redland_release(), which hold one process-wide lock.
 *
 * While held, Redland's log messages (errors and warnings from librdf,
 * Raptor and Rasqal) are captured into the kg__err passed to
 * kg__redland_capture(), never printed. */
#ifndef KG_REDLAND_H
#define KG_REDLAND_H

#include "term.h"

#include <librdf.h>

/* Lock, and on first use create and configure the worlds. Returns KG_OK or
 * KG_ERR_NOMEM / KG_ERR_STORE (the worlds could not be made). */
kg_status kg__redland_acquire(void);
void kg__redland_release(void);

/* Valid while the lock is held. */
librdf_world *kg__rdf_world(void);
raptor_world *kg__raptor_world(void);
rasqal_world *kg__rasqal_world(void);

/* Send captured Redland errors to `e` (NULL: discard them) until the next
 * call. Only errors are kept (the first one); warnings are dropped. */
void kg__redland_capture(kg__err *e);

/* Make a Raptor parser or serializer safe for untrusted input: no network,
 * no file access, no external XML entities, no XInclude. */
void kg__raptor_harden_parser(raptor_parser *p);
void kg__raptor_harden_serializer(raptor_serializer *s);

#endif
