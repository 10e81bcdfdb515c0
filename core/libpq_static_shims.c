/* SPDX-License-Identifier: Apache-2.0 */
/* Linked only in the static build (SCHEMAGATE_STATIC_LINK, cmake/StaticLink.cmake). Debian's
 * libpq.a calls into Kerberos (GSSAPI) and OpenLDAP, which Debian ships as shared libraries
 * only; loading them and the dozen libraries they bring (GnuTLS, SASL, p11-kit, ...) was most
 * of the gate's start-up. These definitions stand in for them and always fail, so libpq takes
 * its own "not available" paths: gssencmode=prefer connects without GSS encryption (no
 * credentials), gssencmode=require, a server asking for GSSAPI authentication, or an ldap://
 * service lookup fail with libpq's own error naming GSSAPI or LDAP. Signatures follow RFC 2744
 * and OpenLDAP's ldap.h; opaque handles are plain pointers. */
#include <stddef.h>

typedef unsigned int om_uint32;
enum { gss_s_failure = 13u << 16 }; /* GSS_S_FAILURE: a routine error, no credentials */

typedef struct {
    size_t length;
    void* value;
} gss_buffer;

static const char gss_missing[] = "GSSAPI is not available in this static build of schemagate";

void* GSS_C_NT_HOSTBASED_SERVICE = NULL; /* NOLINT: the name libpq links against */

static om_uint32 gss_fail(om_uint32* minor) {
    if (minor) *minor = 0;
    return gss_s_failure;
}

om_uint32 gss_acquire_cred(om_uint32* minor, void* name, om_uint32 time, void* mechs, int usage,
                           void** cred, void** actual, om_uint32* time_rec) {
    (void)name, (void)time, (void)mechs, (void)usage, (void)actual, (void)time_rec;
    if (cred) *cred = NULL;
    return gss_fail(minor);
}

/* libpq prints every status through this, then releases the buffer: give it our message. */
om_uint32 gss_display_status(om_uint32* minor, om_uint32 status, int type, void* mech,
                             om_uint32* context, gss_buffer* text) {
    (void)status, (void)type, (void)mech;
    if (context) *context = 0;
    if (text) {
        text->length = sizeof gss_missing - 1;
        text->value = (void*)gss_missing;
    }
    if (minor) *minor = 0;
    return 0;
}

om_uint32 gss_release_buffer(om_uint32* minor, gss_buffer* buffer) {
    if (buffer) {
        buffer->length = 0;
        buffer->value = NULL;
    }
    if (minor) *minor = 0;
    return 0;
}

om_uint32 gss_import_name(om_uint32* minor, void* a, void* b, void* c) {
    (void)a, (void)b, (void)c;
    return gss_fail(minor);
}
om_uint32 gss_init_sec_context(om_uint32* minor, void* a, void* b, void* c, void* d, om_uint32 e,
                               om_uint32 f, void* g, void* h, void* i, void* j, void* k, void* l) {
    (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h, (void)i, (void)j;
    (void)k, (void)l;
    return gss_fail(minor);
}
om_uint32 gss_delete_sec_context(om_uint32* minor, void* a, void* b) {
    (void)a, (void)b;
    return gss_fail(minor);
}
om_uint32 gss_release_cred(om_uint32* minor, void* a) {
    (void)a;
    return gss_fail(minor);
}
om_uint32 gss_release_name(om_uint32* minor, void* a) {
    (void)a;
    return gss_fail(minor);
}
om_uint32 gss_wrap(om_uint32* minor, void* a, int b, om_uint32 c, void* d, int* e, void* f) {
    (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
    return gss_fail(minor);
}
om_uint32 gss_unwrap(om_uint32* minor, void* a, void* b, void* c, int* d, om_uint32* e) {
    (void)a, (void)b, (void)c, (void)d, (void)e;
    return gss_fail(minor);
}
om_uint32 gss_wrap_size_limit(om_uint32* minor, void* a, int b, om_uint32 c, om_uint32 d,
                              om_uint32* e) {
    (void)a, (void)b, (void)c, (void)d, (void)e;
    return gss_fail(minor);
}

/* LDAP: libpq stops at ldap_init's NULL ("could not create LDAP structure"); the rest fail
 * too should any be reached. */
enum { ldap_failure = -1 };
void* ldap_init(const char* host, int port) {
    (void)host, (void)port;
    return NULL;
}
const char* ldap_err2string(int error) {
    (void)error;
    return "LDAP is not available in this static build of schemagate";
}
int ldap_set_option(void* ld, int option, const void* value) {
    (void)ld, (void)option, (void)value;
    return ldap_failure;
}
int ldap_simple_bind(void* ld, const char* who, const char* password) {
    (void)ld, (void)who, (void)password;
    return ldap_failure;
}
int ldap_search_st(void* ld, const char* base, int scope, const char* filter, char** attrs,
                   int attrsonly, void* timeout, void** result) {
    (void)ld, (void)base, (void)scope, (void)filter, (void)attrs, (void)attrsonly, (void)timeout;
    if (result) *result = NULL;
    return ldap_failure;
}
int ldap_result(void* ld, int msgid, int all, void* timeout, void** result) {
    (void)ld, (void)msgid, (void)all, (void)timeout;
    if (result) *result = NULL;
    return ldap_failure;
}
int ldap_count_entries(void* ld, void* chain) {
    (void)ld, (void)chain;
    return ldap_failure;
}
void* ldap_first_entry(void* ld, void* chain) {
    (void)ld, (void)chain;
    return NULL;
}
void* ldap_get_values_len(void* ld, void* entry, const char* attr) {
    (void)ld, (void)entry, (void)attr;
    return NULL;
}
void ldap_value_free_len(void* values) {
    (void)values;
}
int ldap_msgfree(void* message) {
    (void)message;
    return 0;
}
int ldap_unbind(void* ld) {
    (void)ld;
    return 0;
}
