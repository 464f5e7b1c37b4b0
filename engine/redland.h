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

/* Redland is not linked: it is loaded on first use (dlopen of librdf,
 * which brings Raptor and Rasqal), so that a process that only uses
 * kgraph's own readers, store and SPARQL engine never pays for loading
 * Redland and the fifty libraries it depends on. The functions kgraph
 * calls are reached through this table, filled by kg__redland_acquire();
 * the macros below make every call site in engine/ go through it. */
#define KG_REDLAND_FUNCTIONS(X)                                                \
  X(librdf_free_hash)                                                          \
  X(librdf_free_model)                                                         \
  X(librdf_free_node)                                                          \
  X(librdf_free_statement)                                                     \
  X(librdf_free_storage)                                                       \
  X(librdf_free_stream)                                                        \
  X(librdf_free_uri)                                                           \
  X(librdf_free_world)                                                         \
  X(librdf_hash_put_strings)                                                   \
  X(librdf_log_message_level)                                                  \
  X(librdf_log_message_locator)                                                \
  X(librdf_log_message_message)                                                \
  X(librdf_model_add_statement)                                                \
  X(librdf_model_context_add_statement)                                        \
  X(librdf_model_context_remove_statement)                                     \
  X(librdf_model_find_statements)                                              \
  X(librdf_model_find_statements_in_context)                                   \
  X(librdf_model_remove_statement)                                             \
  X(librdf_model_sync)                                                         \
  X(librdf_model_transaction_commit)                                           \
  X(librdf_model_transaction_rollback)                                         \
  X(librdf_model_transaction_start)                                            \
  X(librdf_new_hash)                                                           \
  X(librdf_new_iterator)                                                       \
  X(librdf_new_model)                                                          \
  X(librdf_new_node_from_blank_identifier)                                     \
  X(librdf_new_node_from_node)                                                 \
  X(librdf_new_node_from_typed_counted_literal)                                \
  X(librdf_new_node_from_typed_literal)                                        \
  X(librdf_new_node_from_uri_string)                                           \
  X(librdf_new_statement_from_nodes)                                           \
  X(librdf_new_storage)                                                        \
  X(librdf_new_storage_with_options)                                           \
  X(librdf_new_stream)                                                         \
  X(librdf_new_uri)                                                            \
  X(librdf_new_world)                                                          \
  X(librdf_node_get_counted_blank_identifier)                                  \
  X(librdf_node_get_literal_value_as_counted_string)                           \
  X(librdf_node_get_literal_value_datatype_uri)                                \
  X(librdf_node_get_literal_value_language)                                    \
  X(librdf_node_get_type)                                                      \
  X(librdf_node_get_uri)                                                       \
  X(librdf_statement_get_object)                                               \
  X(librdf_statement_get_predicate)                                            \
  X(librdf_statement_get_subject)                                              \
  X(librdf_statement_is_complete)                                              \
  X(librdf_storage_enumerate)                                                  \
  X(librdf_storage_get_instance)                                               \
  X(librdf_storage_get_world)                                                  \
  X(librdf_storage_register_factory)                                           \
  X(librdf_storage_set_instance)                                               \
  X(librdf_stream_end)                                                         \
  X(librdf_stream_get_context2)                                                \
  X(librdf_stream_get_object)                                                  \
  X(librdf_stream_next)                                                        \
  X(librdf_uri_as_counted_string)                                              \
  X(librdf_uri_as_string)                                                      \
  X(librdf_world_open)                                                         \
  X(librdf_world_set_logger)                                                   \
  X(librdf_world_set_raptor)                                                   \
  X(librdf_world_set_rasqal)                                                   \
  X(raptor_free_parser)                                                        \
  X(raptor_free_uri)                                                           \
  X(raptor_free_world)                                                         \
  X(raptor_namespace_get_prefix)                                               \
  X(raptor_namespace_get_uri)                                                  \
  X(raptor_new_parser)                                                         \
  X(raptor_new_uri_from_counted_string)                                        \
  X(raptor_new_world_internal)                                                 \
  X(raptor_parser_get_locator)                                                 \
  X(raptor_parser_parse_abort)                                                 \
  X(raptor_parser_parse_chunk)                                                 \
  X(raptor_parser_parse_start)                                                 \
  X(raptor_parser_set_namespace_handler)                                       \
  X(raptor_parser_set_option)                                                  \
  X(raptor_parser_set_statement_handler)                                       \
  X(raptor_serializer_set_option)                                              \
  X(raptor_uri_as_counted_string)                                              \
  X(raptor_world_open)                                                         \
  X(raptor_world_set_generate_bnodeid_handler)                                 \
  X(raptor_world_set_log_handler)                                              \
  X(rasqal_free_world)                                                         \
  X(rasqal_new_world)                                                          \
  X(rasqal_world_open)                                                         \
  X(rasqal_world_set_log_handler)                                              \
  X(rasqal_world_set_raptor)                                                   \
  X(rasqal_world_set_warning_level)

struct kg__redland_fns {
#define KG_REDLAND_FIELD(f) __typeof__(&f) f;
  KG_REDLAND_FUNCTIONS(KG_REDLAND_FIELD)
#undef KG_REDLAND_FIELD
};
extern struct kg__redland_fns kg__rl;

#ifndef KG_REDLAND_LOADER
#  define librdf_free_hash           (kg__rl.librdf_free_hash)
#  define librdf_free_model          (kg__rl.librdf_free_model)
#  define librdf_free_node           (kg__rl.librdf_free_node)
#  define librdf_free_statement      (kg__rl.librdf_free_statement)
#  define librdf_free_storage        (kg__rl.librdf_free_storage)
#  define librdf_free_stream         (kg__rl.librdf_free_stream)
#  define librdf_free_uri            (kg__rl.librdf_free_uri)
#  define librdf_free_world          (kg__rl.librdf_free_world)
#  define librdf_hash_put_strings    (kg__rl.librdf_hash_put_strings)
#  define librdf_log_message_level   (kg__rl.librdf_log_message_level)
#  define librdf_log_message_locator (kg__rl.librdf_log_message_locator)
#  define librdf_log_message_message (kg__rl.librdf_log_message_message)
#  define librdf_model_add_statement (kg__rl.librdf_model_add_statement)
#  define librdf_model_context_add_statement                                   \
    (kg__rl.librdf_model_context_add_statement)
#  define librdf_model_context_remove_statement                                \
    (kg__rl.librdf_model_context_remove_statement)
#  define librdf_model_find_statements (kg__rl.librdf_model_find_statements)
#  define librdf_model_find_statements_in_context                              \
    (kg__rl.librdf_model_find_statements_in_context)
#  define librdf_model_remove_statement (kg__rl.librdf_model_remove_statement)
#  define librdf_model_sync             (kg__rl.librdf_model_sync)
#  define librdf_model_transaction_commit                                      \
    (kg__rl.librdf_model_transaction_commit)
#  define librdf_model_transaction_rollback                                    \
    (kg__rl.librdf_model_transaction_rollback)
#  define librdf_model_transaction_start (kg__rl.librdf_model_transaction_start)
#  define librdf_new_hash                (kg__rl.librdf_new_hash)
#  define librdf_new_iterator            (kg__rl.librdf_new_iterator)
#  define librdf_new_model               (kg__rl.librdf_new_model)
#  define librdf_new_node_from_blank_identifier                                \
    (kg__rl.librdf_new_node_from_blank_identifier)
#  define librdf_new_node_from_node (kg__rl.librdf_new_node_from_node)
#  define librdf_new_node_from_typed_counted_literal                           \
    (kg__rl.librdf_new_node_from_typed_counted_literal)
#  define librdf_new_node_from_typed_literal                                   \
    (kg__rl.librdf_new_node_from_typed_literal)
#  define librdf_new_node_from_uri_string                                      \
    (kg__rl.librdf_new_node_from_uri_string)
#  define librdf_new_statement_from_nodes                                      \
    (kg__rl.librdf_new_statement_from_nodes)
#  define librdf_new_storage (kg__rl.librdf_new_storage)
#  define librdf_new_storage_with_options                                      \
    (kg__rl.librdf_new_storage_with_options)
#  define librdf_new_stream (kg__rl.librdf_new_stream)
#  define librdf_new_uri    (kg__rl.librdf_new_uri)
#  define librdf_new_world  (kg__rl.librdf_new_world)
#  define librdf_node_get_counted_blank_identifier                             \
    (kg__rl.librdf_node_get_counted_blank_identifier)
#  define librdf_node_get_literal_value_as_counted_string                      \
    (kg__rl.librdf_node_get_literal_value_as_counted_string)
#  define librdf_node_get_literal_value_datatype_uri                           \
    (kg__rl.librdf_node_get_literal_value_datatype_uri)
#  define librdf_node_get_literal_value_language                               \
    (kg__rl.librdf_node_get_literal_value_language)
#  define librdf_node_get_type           (kg__rl.librdf_node_get_type)
#  define librdf_node_get_uri            (kg__rl.librdf_node_get_uri)
#  define librdf_statement_get_object    (kg__rl.librdf_statement_get_object)
#  define librdf_statement_get_predicate (kg__rl.librdf_statement_get_predicate)
#  define librdf_statement_get_subject   (kg__rl.librdf_statement_get_subject)
#  define librdf_statement_is_complete   (kg__rl.librdf_statement_is_complete)
#  define librdf_storage_enumerate       (kg__rl.librdf_storage_enumerate)
#  define librdf_storage_get_instance    (kg__rl.librdf_storage_get_instance)
#  define librdf_storage_get_world       (kg__rl.librdf_storage_get_world)
#  define librdf_storage_register_factory                                      \
    (kg__rl.librdf_storage_register_factory)
#  define librdf_storage_set_instance  (kg__rl.librdf_storage_set_instance)
#  define librdf_stream_end            (kg__rl.librdf_stream_end)
#  define librdf_stream_get_context2   (kg__rl.librdf_stream_get_context2)
#  define librdf_stream_get_object     (kg__rl.librdf_stream_get_object)
#  define librdf_stream_next           (kg__rl.librdf_stream_next)
#  define librdf_uri_as_counted_string (kg__rl.librdf_uri_as_counted_string)
#  define librdf_uri_as_string         (kg__rl.librdf_uri_as_string)
#  define librdf_world_open            (kg__rl.librdf_world_open)
#  define librdf_world_set_logger      (kg__rl.librdf_world_set_logger)
#  define librdf_world_set_raptor      (kg__rl.librdf_world_set_raptor)
#  define librdf_world_set_rasqal      (kg__rl.librdf_world_set_rasqal)
#  define raptor_free_parser           (kg__rl.raptor_free_parser)
#  define raptor_free_uri              (kg__rl.raptor_free_uri)
#  define raptor_free_world            (kg__rl.raptor_free_world)
#  define raptor_namespace_get_prefix  (kg__rl.raptor_namespace_get_prefix)
#  define raptor_namespace_get_uri     (kg__rl.raptor_namespace_get_uri)
#  define raptor_new_parser            (kg__rl.raptor_new_parser)
#  define raptor_new_uri_from_counted_string                                   \
    (kg__rl.raptor_new_uri_from_counted_string)
#  define raptor_new_world_internal (kg__rl.raptor_new_world_internal)
#  define raptor_parser_get_locator (kg__rl.raptor_parser_get_locator)
#  define raptor_parser_parse_abort (kg__rl.raptor_parser_parse_abort)
#  define raptor_parser_parse_chunk (kg__rl.raptor_parser_parse_chunk)
#  define raptor_parser_parse_start (kg__rl.raptor_parser_parse_start)
#  define raptor_parser_set_namespace_handler                                  \
    (kg__rl.raptor_parser_set_namespace_handler)
#  define raptor_parser_set_option (kg__rl.raptor_parser_set_option)
#  define raptor_parser_set_statement_handler                                  \
    (kg__rl.raptor_parser_set_statement_handler)
#  define raptor_serializer_set_option (kg__rl.raptor_serializer_set_option)
#  define raptor_uri_as_counted_string (kg__rl.raptor_uri_as_counted_string)
#  define raptor_world_open            (kg__rl.raptor_world_open)
#  define raptor_world_set_generate_bnodeid_handler                            \
    (kg__rl.raptor_world_set_generate_bnodeid_handler)
#  define raptor_world_set_log_handler   (kg__rl.raptor_world_set_log_handler)
#  define rasqal_free_world              (kg__rl.rasqal_free_world)
#  define rasqal_new_world               (kg__rl.rasqal_new_world)
#  define rasqal_world_open              (kg__rl.rasqal_world_open)
#  define rasqal_world_set_log_handler   (kg__rl.rasqal_world_set_log_handler)
#  define rasqal_world_set_raptor        (kg__rl.rasqal_world_set_raptor)
#  define rasqal_world_set_warning_level (kg__rl.rasqal_world_set_warning_level)
#endif

/* Load Redland and fill kg__rl (once; called by kg__redland_acquire()).
 * On failure, kg__redland_failure() says why. */
kg_status kg__redland_load(void);

/* Why Redland could not be loaded (borrowed; "" if it could). */
const char *kg__redland_failure(void);

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
