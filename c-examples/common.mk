# Shared rules for the examples: build main.c against mongoose-rs.
#   make run                  build the library (release) and the example, run it
#   make LIBDIR=/path example build against another build of the library
ROOT ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
LIBDIR ?= $(ROOT)/target/release
CFLAGS ?= -std=c99 -Wall -Wextra -Werror -O2 -g -D_DEFAULT_SOURCE
LDLIBS ?= -lpthread

example: main.c $(ROOT)/include/mongoose.h $(LIBDIR)/libmongoose.so
	$(CC) $(CFLAGS) -I$(ROOT)/include main.c -o $@ -L$(LIBDIR) -Wl,-rpath,$(LIBDIR) -lmongoose $(LDLIBS)

$(ROOT)/target/release/libmongoose.so:
	cd $(ROOT) && cargo build --release

run: example
	./example $(ARGS)

clean:
	rm -f example

.PHONY: run clean $(ROOT)/target/release/libmongoose.so
