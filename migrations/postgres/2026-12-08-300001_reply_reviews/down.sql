DROP TABLE reply_review_steps;
DROP TABLE reply_reviews;
DROP TABLE review_levels;
