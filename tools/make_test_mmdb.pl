#!/usr/bin/perl
# Writes small, exactly known MaxMind DB files for the enrichment tests, with
# Debian's MaxMind::DB::Writer (libmaxmind-db-writer-perl):
#
#   make_test_mmdb.pl OUT.mmdb city      GeoLite2-City layout (nested maps)
#   make_test_mmdb.pl OUT.mmdb asn       GeoLite2-ASN layout
#   make_test_mmdb.pl OUT.mmdb flat      ip-location-db layout (flat keys, IPv4-only tree)
#   make_test_mmdb.pl OUT.mmdb asn-csv IN.csv...
#                                        ASN layout from ip-location-db's asn-ipv4/6.csv
#                                        (start,end,asn,org): the demo's ASN database,
#                                        since no ASN .mmdb is published on npm
#
# The networks and values written by city/asn/flat are what
# test/unit/enrich/geoip_database_test.cpp expects; change both together.
use strict;
use warnings;
use utf8;
use MaxMind::DB::Writer::Tree;

my ($out, $kind, @inputs) = @ARGV;
die "usage: $0 OUT.mmdb city|asn|flat|asn-csv [IN.csv...]\n" unless defined $kind;

my %types = (
    country => 'map', registered_country => 'map', location => 'map', names => 'map',
    iso_code => 'utf8_string', en => 'utf8_string',
    latitude => 'double', longitude => 'double',
    autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
    city => 'map',
);
if ($kind eq 'flat') {
    %types = (
        country_code => 'utf8_string', state1 => 'utf8_string', state2 => 'utf8_string',
        city => 'utf8_string', postcode => 'utf8_string', timezone => 'utf8_string',
        latitude => 'float', longitude => 'float',
    );
}

my %database_type = (city => 'GeoLite2-City', asn => 'GeoLite2-ASN', 'asn-csv' => 'GeoLite2-ASN', flat => 'city ipv4');
die "unknown kind '$kind'\n" unless exists $database_type{$kind};

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => ($kind eq 'flat' ? 4 : 6),
    record_size => ($kind eq 'asn-csv' ? 28 : 24),
    database_type => $database_type{$kind},
    languages => ['en'],
    description => { en => "opensocd test data ($kind)" },
    map_key_type_callback => sub { $types{ $_[0] } // die "no type for key $_[0]\n" },
    # Aliasing maps ::ffff:0:0/96, 2001::/32 and 2002::/16 onto IPv4; the real ASN
    # data has its own routes for the latter two, so it is left out there.
    alias_ipv6_to_ipv4 => ($kind eq 'city' || $kind eq 'asn' ? 1 : 0),
    remove_reserved_networks => 0,  # the test networks are documentation ranges
);

if ($kind eq 'city') {
    $tree->insert_network('81.2.69.0/24', {
        country => { iso_code => 'GB', names => { en => 'United Kingdom' } },
        city => { names => { en => 'London' } },
        location => { latitude => 51.5142, longitude => -0.0931 },
    });
    # A more specific network inside the /24: longest prefix wins.
    $tree->insert_network('81.2.69.160/27', {
        country => { iso_code => 'GB', names => { en => 'United Kingdom' } },
        city => { names => { en => 'Boxford' } },
        location => { latitude => 51.75, longitude => -1.25 },
    });
    $tree->insert_network('8.8.8.0/24', {
        country => { iso_code => 'US', names => { en => 'United States' } },
        location => { latitude => 37.751, longitude => -97.822 },
    });
    $tree->insert_network('2001:db8::/32', {
        country => { iso_code => 'SE', names => { en => 'Sweden' } },
        city => { names => { en => 'Linköping' } },
        location => { latitude => 58.4167, longitude => 15.6167 },
    });
    # Only the registrant's country (anycast/satellite ranges look like this).
    $tree->insert_network('203.0.113.0/24', { registered_country => { iso_code => 'AU', names => { en => 'Australia' } } });
} elsif ($kind eq 'asn') {
    $tree->insert_network('8.8.8.0/24', { autonomous_system_number => 15169, autonomous_system_organization => 'GOOGLE' });
    $tree->insert_network('81.2.69.0/24', { autonomous_system_number => 20712, autonomous_system_organization => 'Andrews & Arnold Ltd' });
    $tree->insert_network('2001:db8::/32', { autonomous_system_number => 64496, autonomous_system_organization => 'Documentation AS' });
} elsif ($kind eq 'flat') {
    $tree->insert_network('81.2.69.0/24', {
        country_code => 'GB', state1 => 'England', state2 => '', city => 'London', postcode => 'EC2V',
        latitude => 51.5, longitude => -0.125, timezone => 'Europe/London',
    });
    $tree->insert_network('8.8.8.0/24', {
        country_code => 'US', state1 => '', state2 => '', city => '', postcode => '',
        latitude => 37.75, longitude => -97.75, timezone => 'America/Chicago',
    });
} else {
    die "asn-csv needs at least one input file\n" unless @inputs;
    for my $file (@inputs) {
        open my $in, '<:encoding(UTF-8)', $file or die "$file: $!\n";
        while (my $line = <$in>) {
            $line =~ s/\r?\n\z//;
            # start,end,asn,org where org may be "quoted, with commas"
            my ($start, $end, $asn, $org) = $line =~ /\A([^,]+),([^,]+),(\d+),(.*)\z/ or next;
            $org =~ s/\A"(.*)"\z/$1/s and $org =~ s/""/"/g;
            $tree->insert_range($start, $end, {
                autonomous_system_number => $asn + 0, autonomous_system_organization => $org,
            });
        }
        close $in;
    }
}

open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";
