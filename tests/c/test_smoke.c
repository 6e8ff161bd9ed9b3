// The header compiles and links; a bitfield written in C lands where the
// library expects it.
#include "test.h"

int main(void) {
  struct mg_connection c;
  memset(&c, 0, sizeof(c));
  c.is_closing = 1;
  ASSERT(sizeof(c) == 288);
  ASSERT(((unsigned char *) &c)[282] == 8);
  TEST_DONE();
}
