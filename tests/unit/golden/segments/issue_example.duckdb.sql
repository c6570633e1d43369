SELECT
  "t19"."institution_id",
  "t19"."contact_id"
FROM (
  SELECT
    "t12"."contact_id",
    "t12"."institution_id",
    "t12"."kind",
    "t12"."structure_type",
    "t12"."parent_contact_id",
    "t12"."title",
    "t12"."first_name",
    "t12"."last_name",
    "t12"."structure_name",
    "t12"."email",
    "t12"."phone",
    "t12"."birth_date",
    "t12"."street",
    "t12"."postal_code",
    "t12"."city",
    "t12"."country",
    "t12"."language",
    "t12"."created_at",
    "t12"."email_opt_in",
    "t12"."sms_opt_in",
    "t12"."post_opt_in",
    "t12"."attributes",
    "t13"."_ci_contact",
    "t13"."_ci_abonne_level",
    "t18"."_j1_k",
    "t18"."_j1_v"
  FROM (
    SELECT
      *
    FROM "contacts" AS "t0"
    WHERE
      "t0"."institution_id" = 'INST'
  ) AS "t12"
  LEFT OUTER JOIN (
    SELECT
      "t1"."contact_id" AS "_ci_contact",
      "t1"."abonne_level" AS "_ci_abonne_level"
    FROM "contact_indicators" AS "t1"
    WHERE
      "t1"."organisation_id" = 'ORG'
  ) AS "t13"
    ON "t12"."contact_id" = "t13"."_ci_contact"
  LEFT OUTER JOIN (
    SELECT
      "t16"."holder_id" AS "_j1_k",
      COUNT("t16"."line_id") AS "_j1_v"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t14"."organisation_id",
          "t14"."order_id",
          "t14"."performance_id",
          "t14"."holder_id",
          "t14"."buyer_id",
          "t14"."amount",
          "t14"."countable",
          "t14"."revenue",
          "t14"."in_current",
          "t14"."in_previous",
          "t14"."order_date",
          "t14"."line_id",
          "t14"."payer_id",
          "t14"."status",
          "t14"."season_id",
          "t14"."perf_date",
          "t14"."perf_kind",
          "t14"."family",
          "t14"."audience",
          "t14"."product_season_id",
          "t14"."valid_from",
          "t14"."valid_to",
          "t10"."product_id",
          "t11"."genre"
        FROM (
          SELECT
            *
          FROM "_ind_lines" AS "t2"
          WHERE
            "t2"."organisation_id" = 'ORG'
            AND "t2"."countable"
            AND "t2"."family" IN ('TICKET')
            AND "t2"."season_id" = 'S2025'
        ) AS "t14"
        INNER JOIN (
          SELECT
            "t3"."organisation_id" AS "ol_org",
            "t3"."line_id" AS "ol_line",
            "t3"."product_id"
          FROM "order_lines" AS "t3"
        ) AS "t10"
          ON "t14"."organisation_id" = "t10"."ol_org" AND "t14"."line_id" = "t10"."ol_line"
        LEFT OUTER JOIN (
          SELECT
            "t4"."organisation_id" AS "pr_org",
            "t4"."product_id" AS "pr_id",
            "t4"."genre"
          FROM "products" AS "t4"
        ) AS "t11"
          ON "t14"."organisation_id" = "t11"."pr_org" AND "t10"."product_id" = "t11"."pr_id"
      ) AS "t15"
      WHERE
        LOWER("t15"."genre") IN ('opéra') AND "t15"."holder_id" IS NOT NULL
    ) AS "t16"
    GROUP BY
      1
  ) AS "t18"
    ON "t12"."contact_id" = "t18"."_j1_k"
) AS "t19"
WHERE
  COALESCE("t19"."_ci_abonne_level", 0) = 1 AND COALESCE("t19"."_j1_v", 0) >= 2
