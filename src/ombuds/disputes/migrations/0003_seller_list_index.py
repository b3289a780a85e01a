from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0002_decisions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(
                fields=["workspace", "seller", "-updated_at", "-id"], name="dispute_seller_list"
            ),
        ),
    ]
