/* kgraph.h must compile on its own, first, with every warning on. */
#include <kgraph.h>

int main(void)
{
  kg_status st = KG_OK;
  return (int)st;
}
