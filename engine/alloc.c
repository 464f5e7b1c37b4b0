/* The library's allocator: accounting per query and, in a KG_FAULT_INJECT
 * build, injected failures (see alloc.h). */
#include "alloc.h"

#include <malloc.h>
#include <stdio.h>

#undef malloc
#undef calloc
#undef realloc
#undef free

static _Thread_local kg__mem *current;

#ifdef KG_FAULT_INJECT
static _Thread_local uint64_t fault_at;
static _Thread_local uint64_t fault_count;
static _Thread_local bool fault_fired;
static _Thread_local int64_t fault_live;

void kg__fault_fail_at(uint64_t n)
{
  fault_at = n;
  fault_count = 0;
  fault_fired = false;
}

uint64_t kg__fault_allocations(void)
{
  return fault_count;
}

bool kg__fault_fired(void)
{
  return fault_fired;
}

int64_t kg__fault_live(void)
{
  return fault_live;
}

static void live(int64_t change)
{
  fault_live += change;
}

/* Called when the failure happens: a place for a debugger's breakpoint. */
__attribute__((noinline)) void kg__fault_hit(void);
__attribute__((noinline)) void kg__fault_hit(void)
{
  fault_fired = true;
}

static bool inject(void)
{
  if (++fault_count == fault_at) {
    kg__fault_hit();
    return true;
  }
  return false;
}
#else
static void live(int64_t change)
{
  (void)change;
}

static bool inject(void)
{
  return false;
}
#endif

kg__mem *kg__mem_enter(kg__mem *m)
{
  kg__mem *previous = current;
  current = m;
  return previous;
}

void kg__mem_leave(kg__mem *previous)
{
  current = previous;
}

void kg__mem_cap_text(uint64_t cap, char *out, size_t size)
{
  const uint64_t mb = UINT64_C(1) << 20;
  if (cap % mb == 0) {
    snprintf(out, size, "%llu MB", (unsigned long long)(cap / mb));
  } else {
    snprintf(out, size, "%llu bytes", (unsigned long long)cap);
  }
}

/* The account to charge: the current one if it has a cap. Without a cap
 * nothing reads what it used, so nothing is counted (no
 * malloc_usable_size() on every allocation of an uncapped query). */
static kg__mem *account(void)
{
  return current && current->cap ? current : NULL;
}

/* May the current account grow by `more` bytes? */
static bool within_cap(size_t more)
{
  kg__mem *m = account();
  if (!m || (more <= m->cap && m->used + (int64_t)more <= (int64_t)m->cap)) {
    return true;
  }
  m->exceeded = true;
  return false;
}

static void *counted(void *p)
{
  if (p) {
    live(1);
    kg__mem *m = account();
    if (m) {
      m->used += (int64_t)malloc_usable_size(p);
    }
  }
  return p;
}

void *kg__malloc(size_t size)
{
  if (inject() || !within_cap(size)) {
    return NULL;
  }
  return counted(malloc(size));
}

void *kg__calloc(size_t n, size_t size)
{
  if (inject() || (size && n > SIZE_MAX / size) || !within_cap(n * size)) {
    return NULL;
  }
  return counted(calloc(n, size));
}

void *kg__realloc(void *ptr, size_t size)
{
  if (!ptr) {
    return kg__malloc(size);
  }
  kg__mem *m = account();
  size_t old = m ? malloc_usable_size(ptr) : 0;
  if (inject() || (size > old && !within_cap(size - old))) {
    return NULL;
  }
  void *p = realloc(ptr, size);
  if (p && m) {
    m->used += (int64_t)malloc_usable_size(p) - (int64_t)old;
  }
  return p;
}

void kg__free(void *ptr)
{
  if (ptr) {
    live(-1);
    kg__mem *m = account();
    if (m) {
      m->used -= (int64_t)malloc_usable_size(ptr);
    }
  }
  free(ptr);
}
