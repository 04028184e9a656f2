/*
 * test_json: the strict JSON reader: every kind of value, exact 64-bit integers, escapes and
 * surrogate pairs, and the refusals (with the byte offset) of what RFC 8259 forbids.
 */
#include <stdlib.h>

#include "core/json.h"
#include "unit.h"

static sl_json_t *parse(const char *text, char *err)
{
    return sl_json_parse(text, strlen(text), err, 256);
}

static int refused(const char *text, const char *want)
{
    char err[256] = "";
    sl_json_t *v = parse(text, err);
    if (v != NULL) {
        sl_json_free(v);
        fprintf(stderr, "accepted: %s\n", text);
        return 0;
    }
    if (strstr(err, want) == NULL) {
        fprintf(stderr, "for %s: '%s' lacks '%s'\n", text, err, want);
        return 0;
    }
    return 1;
}

int main(void)
{
    char err[256];
    sl_json_t *v = parse(" {\"a\": [1, -2.5e1, 18446744073709551615, 18446744073709551616, 0],"
                         " \"s\": \"x\\u00e9\\ud83d\\ude00\\n\\\"\", \"t\": true, \"f\": false,"
                         " \"n\": null, \"o\": {}, \"e\": []} ",
                         err);
    CHECK(v != NULL);
    if (v == NULL)
        return 1;
    CHECK(v->type == SL_JSON_OBJECT);
    CHECK_EQ_U(v->len, 7);
    const sl_json_t *a = sl_json_get(v, "a");
    CHECK(a != NULL && a->type == SL_JSON_ARRAY && a->len == 5);
    const sl_json_t *x = sl_json_item(a, 0);
    CHECK(x->is_u64 && x->u64 == 1 && sl_json_number(x) == 1.0);
    x = sl_json_item(a, 1);
    CHECK(!x->is_u64 && x->number == -25.0 && sl_json_number(x) == -25.0);
    x = sl_json_item(a, 2);
    CHECK(x->is_u64 && x->u64 == UINT64_MAX); /* exact, where a double would round */
    CHECK(sl_json_number(x) == 18446744073709551615.0);
    x = sl_json_item(a, 3);
    CHECK(!x->is_u64 && x->number > 1.8e19); /* too large for 64 bits: only the double */
    x = sl_json_item(a, 4);
    CHECK(x->is_u64 && x->u64 == 0 && sl_json_item(a, 5) == NULL);
    CHECK(sl_json_key(a, 0) == NULL); /* an array's values have no names */
    /* an object's members in order, by index and by name */
    CHECK_STR(sl_json_key(v, 0), "a");
    CHECK_STR(sl_json_key(v, 6), "e");
    CHECK(sl_json_key(v, 7) == NULL && sl_json_item(v, 7) == NULL);
    CHECK(sl_json_item(v, 0) == a && sl_json_item(v, 2)->type == SL_JSON_TRUE);
    const sl_json_t *s = sl_json_get(v, "s");
    CHECK_STR(s->string, "x\xc3\xa9\xf0\x9f\x98\x80\n\"");
    CHECK_EQ_U(s->len, 9);
    CHECK(sl_json_get(v, "t")->type == SL_JSON_TRUE);
    CHECK(sl_json_get(v, "f")->type == SL_JSON_FALSE);
    CHECK(sl_json_get(v, "n")->type == SL_JSON_NULL);
    CHECK(sl_json_get(v, "o")->type == SL_JSON_OBJECT && sl_json_get(v, "o")->len == 0);
    CHECK(sl_json_get(v, "e")->type == SL_JSON_ARRAY && sl_json_get(v, "e")->len == 0);
    CHECK(sl_json_item(sl_json_get(v, "e"), 0) == NULL);
    CHECK(sl_json_get(v, "missing") == NULL);
    CHECK(sl_json_get(a, "a") == NULL); /* not an object */
    sl_json_free(v);

    v = parse("{\"k\": 1, \"k\": 2}", err); /* a name twice: the first one is found */
    CHECK(v != NULL && v->len == 2 && sl_json_get(v, "k")->u64 == 1);
    sl_json_free(v);

    /* a result file's size: many small arrays and strings, over many blocks, each value as
     * written */
    {
        size_t n = 200000, cap = n * 40 + 64, len = 0;
        char *big = malloc(cap);
        CHECK(big != NULL);
        if (big == NULL)
            return 1;
        len += (size_t)snprintf(big + len, cap - len, "{\"pairs\": [");
        for (size_t i = 0; i < n; i++)
            len += (size_t)snprintf(big + len, cap - len, "%s[%zu, \"s%zu\", %zu.5]", i ? ", " : "",
                                    i, i, i);
        len += (size_t)snprintf(big + len, cap - len, "], \"end\": true}");
        v = sl_json_parse(big, len, err, sizeof(err));
        CHECK(v != NULL);
        const sl_json_t *pairs = sl_json_get(v, "pairs");
        CHECK(pairs != NULL && pairs->len == n);
        int all = pairs != NULL && pairs->len == n;
        for (size_t i = 0; all && i < n; i++) {
            const sl_json_t *e = sl_json_item(pairs, i), *s0 = sl_json_item(e, 1);
            char want[32];
            snprintf(want, sizeof(want), "s%zu", i);
            all = e->type == SL_JSON_ARRAY && e->len == 3 && sl_json_item(e, 0)->u64 == i &&
                  strcmp(s0->string, want) == 0 && s0->len == strlen(want) &&
                  sl_json_item(e, 2)->number == (double)i + 0.5;
        }
        CHECK(all);
        CHECK(sl_json_get(v, "end")->type == SL_JSON_TRUE);
        sl_json_free(v);
        free(big);
    }

    v = parse("\"\\u0041\\/\"", err); /* a bare string at the top; "\/" is "/" */
    CHECK(v != NULL && strcmp(v->string, "A/") == 0);
    sl_json_free(v);

    CHECK(refused("", "at byte 0: the text ends"));
    CHECK(refused("[1,]", "at byte 3: a trailing comma"));
    CHECK(refused("{\"a\":1,}", "trailing comma"));
    CHECK(refused("[01]", "at byte 2: a number with a leading zero"));
    CHECK(refused("[1.]", "no digit after the decimal point"));
    CHECK(refused("[1e]", "no digit in the exponent"));
    CHECK(refused("[-]", "a '-' without digits"));
    CHECK(refused("[+1]", "unexpected character"));
    CHECK(refused("{a:1}", "a member name must be a string"));
    CHECK(refused("{\"a\" 1}", "a ':' after a member name"));
    CHECK(refused("[1 2]", "a ',' or ']' expected"));
    CHECK(refused("{\"a\":1 \"b\":2}", "a ',' or '}' expected"));
    CHECK(refused("[\"abc]", "at byte 2: a string without its closing quote"));
    CHECK(refused("[\"a\tb\"]", "a control character in a string"));
    CHECK(refused("[\"\\x\"]", "an unknown escape"));
    CHECK(refused("[\"\\u12g4\"]", "non-hex digit"));
    CHECK(refused("[\"\\ud83d\"]", "a high surrogate without its low half"));
    CHECK(refused("[\"\\ude00\"]", "a lone low surrogate"));
    CHECK(refused("[\"\xc3\"]", "invalid UTF-8"));
    CHECK(refused("[\"\xed\xa0\x80\"]", "invalid UTF-8")); /* an encoded surrogate */
    CHECK(refused("[\"\xc0\xaf\"]", "invalid UTF-8"));     /* overlong */
    CHECK(refused("[tru]", "unexpected character"));
    CHECK(refused("// c\n1", "unexpected character"));
    CHECK(refused("1 2", "at byte 2: something after the value"));
    CHECK(refused("{} x", "something after the value"));

    /* nesting: SL_JSON_MAX_DEPTH levels are read, one more is refused */
    char deep[2 * SL_JSON_MAX_DEPTH + 4];
    memset(deep, '[', SL_JSON_MAX_DEPTH);
    memset(deep + SL_JSON_MAX_DEPTH, ']', SL_JSON_MAX_DEPTH);
    deep[2 * SL_JSON_MAX_DEPTH] = '\0';
    v = parse(deep, err);
    CHECK(v != NULL);
    sl_json_free(v);
    memset(deep, '[', SL_JSON_MAX_DEPTH + 1);
    memset(deep + SL_JSON_MAX_DEPTH + 1, ']', SL_JSON_MAX_DEPTH + 1);
    deep[2 * SL_JSON_MAX_DEPTH + 2] = '\0';
    CHECK(refused(deep, "nested deeper than 64"));

    /* the first pass counts values by brackets and commas: those inside strings (escaped
     * quotes included) are text, and every container gets exactly its own values */
    v = parse("{\"[a,b]\": [\"x,]\\\"}\", {\"k\": [[], [1, {}], \"]\"]}, 3], \"z\": {}}", err);
    CHECK(v != NULL && v->len == 2);
    const sl_json_t *arr = sl_json_get(v, "[a,b]");
    CHECK(arr != NULL && arr->len == 3);
    CHECK_STR(sl_json_item(arr, 0)->string, "x,]\"}");
    const sl_json_t *k = sl_json_get(sl_json_item(arr, 1), "k");
    CHECK(k != NULL && k->len == 3 && sl_json_item(k, 0)->len == 0 && sl_json_item(k, 1)->len == 2);
    CHECK(sl_json_item(sl_json_item(k, 1), 1)->type == SL_JSON_OBJECT);
    CHECK_STR(sl_json_item(k, 2)->string, "]");
    CHECK(sl_json_item(arr, 2)->u64 == 3 && sl_json_get(v, "z")->len == 0);
    sl_json_free(v);
    CHECK(refused("[[1,2],[3,]]", "trailing comma"));
    CHECK(refused("[\"a\",,1]", "unexpected character"));
    CHECK(refused("{\"a\":1,,\"b\":2}", "a member name must be a string"));
    CHECK(refused("[1,[2,3]", "a ',' or ']' expected"));
    CHECK(refused("[1]]", "something after the value"));
    size_t many = 100000;
    char *list = malloc(2 * many + 2);
    CHECK(list != NULL);
    if (list != NULL) {
        list[0] = '[';
        for (size_t i = 0; i < many; i++) {
            list[1 + 2 * i] = '7';
            list[2 + 2 * i] = i + 1 < many ? ',' : ']';
        }
        list[2 * many + 1] = '\0';
        v = parse(list, err);
        CHECK(v != NULL && v->len == many && sl_json_item(v, many - 1)->u64 == 7);
        sl_json_free(v);
        free(list);
    }

    /* a length shorter than the string: only that much is read */
    v = sl_json_parse("[1] garbage", 3, err, sizeof(err));
    CHECK(v != NULL && v->len == 1);
    sl_json_free(v);
    return check_report();
}
