/* An in-memory term dictionary: RDF terms <-> IDs.
 *
 * The term bytes live in one arena that only grows while the dictionary
 * lives, so a term view handed out stays valid until kg__dict_free().
 * A hash table maps terms to entries.
 *
 * Two modes:
 * - dense: IDs are assigned by the dictionary, KG__FIRST_ID upwards, and
 *   the ID of an entry is its position (the native memory store, the
 *   librdf adapter);
 * - sparse: the caller gives each entry its ID (a cache of a dictionary
 *   kept elsewhere, such as the LMDB store's); a second table maps IDs to
 *   entries. */
#ifndef KG_STORE_DICT_H
#define KG_STORE_DICT_H

#include "store.h"

typedef struct kg__dict kg__dict;

kg_status kg__dict_new(bool sparse, kg__dict **out);
void kg__dict_free(kg__dict *d);

/* Number of entries. */
size_t kg__dict_size(const kg__dict *d);

/* Hash of a term as the dictionary computes it (also the LMDB store's
 * key for the term). Equal terms hash equal; a simple literal with an
 * explicit xsd:string datatype is the simple literal, and language tags
 * count without case ("a"@EN is "a"@en, and is recorded so). */
uint64_t kg__term_hash(const kg_term *t);

/* ID of `t`, or KG__NO_ID. `hash` is kg__term_hash(t). */
kg__id kg__dict_find(const kg__dict *d, const kg_term *t, uint64_t hash);

/* Add `t` (not present). Dense: the new ID is returned in *id; sparse:
 * *id is the ID to record. Copies the term's bytes. */
kg_status
kg__dict_add(kg__dict *d, const kg_term *t, uint64_t hash, kg__id *id);

/* The term of `id` as a view into the arena; false when unknown. */
bool kg__dict_term(const kg__dict *d, kg__id id, kg_term *out);

/* Dense mode: forget every entry with an ID >= `first` (the arena keeps
 * their bytes, so views already handed out stay valid). */
void kg__dict_truncate(kg__dict *d, kg__id first);

/* Normalise a term the way the dictionary stores it: datatype NULL for a
 * simple literal (explicit xsd:string) and for a language-tagged one. */
void kg__term_normalise(kg_term *t);

/* Term records: the byte form of a term in the arena (and in the LMDB
 * store). kg__rec_size: bytes of the record of `t` (0: too large). */
size_t kg__rec_size(const kg_term *t);
void kg__rec_write(const kg_term *t, unsigned char *out);
/* Is `len` bytes at `r` a well-formed record? */
bool kg__rec_valid(const unsigned char *r, size_t len);
/* A view of a (valid) record's term, pointing into the record. */
void kg__rec_view(const unsigned char *r, kg_term *out);
/* Is the record's term `t`? */
bool kg__rec_equals(const unsigned char *r, const kg_term *t);

/* Bytes of dictionary memory (arena and tables), for statistics. */
size_t kg__dict_bytes(const kg__dict *d);

#endif
