/* Redland's global state: one librdf world (with its Raptor and Rasqal
 * worlds) for the whole process, made on first use (Redland itself is
 * loaded then, see redland_load.c) and guarded by one mutex, because
 * librdf as packaged is built without thread support. */
#include "redland.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static librdf_world *rdf_world;
static raptor_world *rap_world;
static rasqal_world *rsq_world;
static kg__err *capture;

/* Copy the first error Redland reports into the capture target. */
static void record(const char *text, int line, int column)
{
  if (!capture || capture->status != KG_OK) {
    return;
  }
  kg__err_set(capture, KG_ERR_PARSE, line > 0 ? (unsigned)line : 0,
              column > 0 ? (unsigned)column : 0, "%s", text ? text : "error");
}

static void raptor_log(void *user_data, raptor_log_message *m)
{
  (void)user_data;
  int line = m->locator ? m->locator->line : -1;
  int column = m->locator ? m->locator->column : -1;
  /* Raptor only warns about rdf:aboutEach and rdf:aboutEachPrefix, then
   * drops the element and everything in it: refuse the file instead of
   * losing statements. */
  if (m->level < RAPTOR_LOG_LEVEL_ERROR && m->text &&
      strstr(m->text, "aboutEach")) {
    record("rdf:aboutEach and rdf:aboutEachPrefix are not RDF (removed from "
           "RDF/XML in 2004)",
           line, column);
    return;
  }
  if (m->level < RAPTOR_LOG_LEVEL_ERROR) {
    return;
  }
  record(m->text, line, column);
}

static int rdf_log(void *user_data, librdf_log_message *m)
{
  (void)user_data;
  if (librdf_log_message_level(m) < LIBRDF_LOG_ERROR) {
    return 1;
  }
  /* librdf's postgresql storage logs this when a read inside a
   * transaction gives back the transaction's connection: harmless, and
   * it would hide the error that matters. */
  const char *text = librdf_log_message_message(m);
  if (text && strncmp(text, "Unable to find busy connection", 30) == 0) {
    return 1;
  }
  raptor_locator *loc = librdf_log_message_locator(m);
  record(text, loc ? loc->line : -1, loc ? loc->column : -1);
  return 1; /* handled: never printed */
}

static kg_status make_worlds(void)
{
  rap_world = raptor_new_world();
  if (!rap_world) {
    return KG_ERR_NOMEM;
  }
  raptor_world_set_log_handler(rap_world, NULL, raptor_log);
  if (raptor_world_open(rap_world)) {
    return KG_ERR_STORE;
  }
  rsq_world = rasqal_new_world();
  if (!rsq_world) {
    return KG_ERR_NOMEM;
  }
  rasqal_world_set_raptor(rsq_world, rap_world);
  rasqal_world_set_log_handler(rsq_world, NULL, raptor_log);
  rasqal_world_set_warning_level(rsq_world, 0);
  if (rasqal_world_open(rsq_world)) {
    return KG_ERR_STORE;
  }
  rdf_world = librdf_new_world();
  if (!rdf_world) {
    return KG_ERR_NOMEM;
  }
  librdf_world_set_raptor(rdf_world, rap_world);
  librdf_world_set_rasqal(rdf_world, rsq_world);
  librdf_world_set_logger(rdf_world, NULL, rdf_log);
  librdf_world_open(rdf_world);
  /* librdf may install its own handlers on open: take them back. Its
   * blank node id generator also replaces every rdf:nodeID before Raptor
   * validates it; kgraph's readers make labels unique themselves. */
  raptor_world_set_log_handler(rap_world, NULL, raptor_log);
  rasqal_world_set_log_handler(rsq_world, NULL, raptor_log);
  raptor_world_set_generate_bnodeid_handler(rap_world, NULL, NULL);
  return KG_OK;
}

kg_status kg__redland_acquire(void)
{
  pthread_mutex_lock(&lock);
  if (!rdf_world) {
    kg_status st = kg__redland_load();
    if (st != KG_OK) {
      pthread_mutex_unlock(&lock);
      return st;
    }
    st = make_worlds();
    if (st != KG_OK) {
      /* Leave no half-made world behind; the next call tries again. */
      if (rdf_world) {
        librdf_free_world(rdf_world);
      } else {
        if (rsq_world) {
          rasqal_free_world(rsq_world);
        }
        if (rap_world) {
          raptor_free_world(rap_world);
        }
      }
      rdf_world = NULL;
      rsq_world = NULL;
      rap_world = NULL;
      pthread_mutex_unlock(&lock);
      return st;
    }
  }
  return KG_OK;
}

void kg__redland_release(void)
{
  capture = NULL;
  pthread_mutex_unlock(&lock);
}

librdf_world *kg__rdf_world(void)
{
  return rdf_world;
}

raptor_world *kg__raptor_world(void)
{
  return rap_world;
}

rasqal_world *kg__rasqal_world(void)
{
  return rsq_world;
}

void kg__redland_capture(kg__err *e)
{
  capture = e;
}

void kg__raptor_harden_parser(raptor_parser *p)
{
  raptor_parser_set_option(p, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_parser_set_option(p, RAPTOR_OPTION_NO_FILE, NULL, 1);
  raptor_parser_set_option(p, RAPTOR_OPTION_LOAD_EXTERNAL_ENTITIES, NULL, 0);
  raptor_parser_set_option(p, RAPTOR_OPTION_HTML_LINK, NULL, 0);
  raptor_parser_set_option(p, RAPTOR_OPTION_MICROFORMATS, NULL, 0);
  raptor_parser_set_option(p, RAPTOR_OPTION_WWW_TIMEOUT, NULL, 1);
}

void kg__raptor_harden_serializer(raptor_serializer *s)
{
  raptor_serializer_set_option(s, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_serializer_set_option(s, RAPTOR_OPTION_NO_FILE, NULL, 1);
}
