/*
 * transport: the config's TLS, HTTP version, resolve and authentication settings as libcurl
 * options. Secrets are read here, in the worker, from an environment variable or the first
 * line of a file, so that they never pass through argv, the config, or any output.
 */
#include "engine/transport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_MAX 4096

/* The first line of path, without its line break, into a new string. */
static char *read_first_line(const char *path, const char *flag, char *err, size_t errlen)
{
    char line[SECRET_MAX];
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s %s: %s", flag, path, strerror(errno));
        return NULL;
    }
    if (fgets(line, sizeof(line), f) == NULL)
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    char *copy = strdup(line);
    explicit_bzero(line, sizeof(line));
    if (copy == NULL)
        snprintf(err, errlen, "out of memory");
    return copy;
}

char *sl_transport_read_secret(const char *env, const char *file, const char *env_flag,
                               const char *file_flag, char *err, size_t errlen)
{
    if (file != NULL)
        return read_first_line(file, file_flag, err, errlen);
    const char *v = getenv(env);
    if (v == NULL) {
        snprintf(err, errlen, "%s %s: no such environment variable", env_flag, env);
        return NULL;
    }
    char *copy = strdup(v);
    if (copy == NULL)
        snprintf(err, errlen, "out of memory");
    return copy;
}

int sl_transport_open(sl_transport_t *t, const sl_config_t *cfg, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    for (int i = 0; i < cfg->nresolve; i++) {
        struct curl_slist *l = curl_slist_append(t->resolve, cfg->resolve[i]);
        if (l == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        t->resolve = l;
    }
    if ((cfg->key_password_env || cfg->key_password_file) &&
        (t->key_password = sl_transport_read_secret(cfg->key_password_env, cfg->key_password_file,
                                                    "--key-password-env", "--key-password-file",
                                                    err, errlen)) == NULL)
        return -1;
    if ((cfg->password_env || cfg->password_file) &&
        (t->password =
             sl_transport_read_secret(cfg->password_env, cfg->password_file, "--password-env",
                                      "--password-file", err, errlen)) == NULL)
        return -1;
    return 0;
}

void sl_transport_easy(const sl_transport_t *t, const sl_config_t *cfg, CURL *e)
{
    int https = strncmp(cfg->url, "https://", 8) == 0;
    if (cfg->http2) {
        /* libcurl before 8.0 breaks a reused prior-knowledge connection ("Error in the HTTP2
         * framing layer", curl issue #10634): there h2c starts with an Upgrade instead, on the
         * first request of each connection, and the connection speaks HTTP/2 from then on */
        long h2c = curl_version_info(CURLVERSION_NOW)->version_num >= 0x080000
                       ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
                       : CURL_HTTP_VERSION_2_0;
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, https ? (long)CURL_HTTP_VERSION_2TLS : h2c);
        /* wait for a connection that can take one more stream rather than open another */
        curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    }
    if (cfg->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (cfg->cacert != NULL)
        curl_easy_setopt(e, CURLOPT_CAINFO, cfg->cacert);
    if (cfg->capath != NULL)
        curl_easy_setopt(e, CURLOPT_CAPATH, cfg->capath);
    if (cfg->cert != NULL)
        curl_easy_setopt(e, CURLOPT_SSLCERT, cfg->cert);
    if (cfg->key != NULL)
        curl_easy_setopt(e, CURLOPT_SSLKEY, cfg->key);
    /* without a password, an empty one: OpenSSL would otherwise prompt on the terminal */
    if (cfg->cert != NULL)
        curl_easy_setopt(e, CURLOPT_KEYPASSWD, t->key_password != NULL ? t->key_password : "");
    if (cfg->tls_min != 0)
        curl_easy_setopt(
            e, CURLOPT_SSLVERSION,
            (long)(cfg->tls_min == 13 ? CURL_SSLVERSION_TLSv1_3 : CURL_SSLVERSION_TLSv1_2));
    if (t->resolve != NULL)
        curl_easy_setopt(e, CURLOPT_RESOLVE, t->resolve);
    if (cfg->auth != SL_AUTH_NONE) {
        static const unsigned long methods[] = {0, CURLAUTH_BASIC, CURLAUTH_DIGEST, CURLAUTH_NTLM,
                                                CURLAUTH_NEGOTIATE};
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, methods[cfg->auth]);
        /* negotiate without a user takes the credentials of the Kerberos ticket */
        curl_easy_setopt(e, CURLOPT_USERNAME, cfg->user != NULL ? cfg->user : "");
        curl_easy_setopt(e, CURLOPT_PASSWORD, t->password != NULL ? t->password : "");
    }
}

void sl_transport_multi(const sl_config_t *cfg, CURLM *m, int connections)
{
    curl_multi_setopt(m, CURLMOPT_PIPELINING, cfg->http2 ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING);
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)connections);
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)connections);
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)connections);
    if (cfg->http2)
        curl_multi_setopt(m, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)cfg->streams);
}

static void wipe(char **s)
{
    if (*s != NULL) {
        explicit_bzero(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

void sl_transport_close(sl_transport_t *t)
{
    curl_slist_free_all(t->resolve);
    t->resolve = NULL;
    wipe(&t->key_password);
    wipe(&t->password);
}
