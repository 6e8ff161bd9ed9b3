# mongoose-rs as a C library, the usual way:
#
#   make                                   release build (target/release/)
#   make install [PREFIX=/usr/local] [DESTDIR=]
#   make uninstall [PREFIX=...] [DESTDIR=...]
#   make test                              the README's test command
#
# install puts lib/libmongoose.so.$(MAJOR) (its soname) + the libmongoose.so
# link, lib/libmongoose.a, include/mongoose.h and lib/pkgconfig/mongoose.pc
# under $(DESTDIR)$(PREFIX). Debug info is stripped on install; keep it with
# `make install PROFILE=profiling STRIP=:` (release code with line tables;
# STRIP names the strip program, always run with --strip-debug).
# `make install` builds the library when it is missing or older than its
# sources, so `make && sudo make install` needs no cargo for root.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CARGO ?= cargo
PROFILE ?= release
INSTALL ?= install
STRIP ?= strip

TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)
BUILD ?= $(abspath $(TARGET_DIR)/$(if $(filter dev test,$(PROFILE)),debug,$(PROFILE)))
VERSION := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
MAJOR := $(firstword $(subst ., ,$(VERSION)))
SONAME := libmongoose.so.$(MAJOR)
# What libmongoose.a needs besides libc (rustc --print native-static-libs,
# less -lgcc_s: gcc links it as needed, and it has no static form).
LIBS_PRIVATE := -lpthread -ldl -lm -lrt -lutil

all:
	$(CARGO) build --profile $(PROFILE)

# cargo's dependency file: the library is stale when a source is newer.
-include $(BUILD)/libmongoose.d
# (a source deleted since that build means "rebuild", not "no rule")
%.rs: ;
%.c: ;
%.h: ;

$(BUILD)/libmongoose.so $(BUILD)/libmongoose.a:
	$(CARGO) build --profile $(PROFILE)

install: $(BUILD)/libmongoose.so $(BUILD)/libmongoose.a
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 755 $(BUILD)/libmongoose.so $(DESTDIR)$(LIBDIR)/$(SONAME)
	$(STRIP) --strip-debug $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmongoose.so
	$(INSTALL) -m 644 $(BUILD)/libmongoose.a $(DESTDIR)$(LIBDIR)/libmongoose.a
	$(STRIP) --strip-debug $(DESTDIR)$(LIBDIR)/libmongoose.a
	$(INSTALL) -m 644 include/mongoose.h $(DESTDIR)$(INCLUDEDIR)/mongoose.h
	printf '%s\n' \
	  'prefix=$(PREFIX)' \
	  'libdir=$(LIBDIR)' \
	  'includedir=$(INCLUDEDIR)' \
	  '' \
	  'Name: mongoose' \
	  'Description: Mongoose embedded networking library (7.x C API), rebuilt in Rust' \
	  'URL: https://mongoose.ws' \
	  'Version: $(VERSION)' \
	  'Libs: -L$${libdir} -lmongoose' \
	  'Libs.private: $(LIBS_PRIVATE)' \
	  'Cflags: -I$${includedir}' \
	  > $(DESTDIR)$(PKGCONFIGDIR)/mongoose.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/mongoose.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libmongoose.so \
	  $(DESTDIR)$(LIBDIR)/libmongoose.a $(DESTDIR)$(INCLUDEDIR)/mongoose.h \
	  $(DESTDIR)$(PKGCONFIGDIR)/mongoose.pc

test:
	scripts/test.sh

clean:
	$(CARGO) clean

.PHONY: all install uninstall test clean
