"""Configuration, read once from environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    debug: bool = os.getenv("SHOP_DEBUG", "0") == "1"
    database_url: str = os.getenv("DATABASE_URL", "sqlite:///./shop.db")
    redis_host: str = os.getenv("REDIS_HOST", "localhost")
    redis_port: int = int(os.getenv("REDIS_PORT", "6379"))
    payment_api_url: str = os.getenv("PAYMENT_API_URL", "https://payments.example.com/v1")
    payment_api_key: str = os.getenv("PAYMENT_API_KEY", "sk_test_change_me")
    fx_api_url: str = os.getenv("FX_API_URL", "https://fx.example.com")
    inventory_api_url: str = os.getenv("INVENTORY_API_URL", "https://inventory.example.com")
    search_index_url: str = os.getenv("SEARCH_INDEX_URL", "https://search.example.com/index/items")
    reviews_api_url: str = os.getenv("REVIEWS_API_URL", "https://reviews.example.com")
    carrier_api_url: str = os.getenv("CARRIER_API_URL", "https://track.example-carrier.com")
    erp_api_url: str = os.getenv("ERP_API_URL", "https://erp.example.com/api")
    erp_api_key: str = os.getenv("ERP_API_KEY", "erp_change_me")
    loyalty_api_url: str = os.getenv("LOYALTY_API_URL", "https://loyalty.example.com")
    cdn_purge_url: str = os.getenv("CDN_PURGE_URL", "https://cdn.example.com/purge")
    invoice_service_url: str = os.getenv("INVOICE_SERVICE_URL", "https://invoices.example.com")
    captcha_verify_url: str = os.getenv("CAPTCHA_VERIFY_URL", "https://captcha.example.com/verify")
    geocoder_url: str = os.getenv("GEOCODER_URL", "https://geo.example.com/search")
    webhook_secret: str = os.getenv("PAYMENT_WEBHOOK_SECRET", "whsec_change_me")
    smtp_host: str = os.getenv("SMTP_HOST", "localhost")
    smtp_port: int = int(os.getenv("SMTP_PORT", "587"))
    smtp_user: str = os.getenv("SMTP_USER", "shop")
    smtp_password: str = os.getenv("SMTP_PASSWORD", "")
    mail_from: str = os.getenv("MAIL_FROM", "Shop <no-reply@shop.example.com>")
    s3_bucket: str = os.getenv("S3_BUCKET", "shop-uploads")
    upload_dir: Path = Path(os.getenv("UPLOAD_DIR", "./uploads"))
    access_log: Path = Path(os.getenv("ACCESS_LOG", "./access.log"))
    data_dir: Path = BASE_DIR / "data"


settings = Settings()
