from django.core.management.base import BaseCommand, CommandError

from accounts import selectors


class Command(BaseCommand):
    help = ("List exporters registered in a province their unified social credit code does not name "
            "(characters 3-4 of the code). The same list is on /registration-checks/.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit with status 1 when any is found")

    def handle(self, *args, check, **options):
        provinces = selectors.provinces_by_code()
        rows = list(selectors.province_mismatches())
        for org in rows:
            named = provinces.get(org.code_province)
            self.stdout.write(f"{org.code}\t{org.name_zh}\tregistered: {org.province_id or '-'}\t"
                              f"code names: {org.code_province} {named.name_en if named else ''}\t"
                              f"{org.verification}")
        self.stdout.write(f"{len(rows)} organisation(s) whose province disagrees with their credit code")
        if check and rows:
            raise CommandError("province and credit code disagree", returncode=1)
