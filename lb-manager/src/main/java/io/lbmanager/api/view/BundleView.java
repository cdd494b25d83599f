package io.lbmanager.api.view;

import io.lbmanager.contract.ConfigBundle;

import java.util.SortedMap;

/** The files of one config version, by name, and their checksum. */
public record BundleView(String group, SortedMap<String, String> files, String sha256) {

    public static BundleView of(ConfigBundle bundle) {
        return new BundleView(bundle.group(), bundle.files(), bundle.sha256());
    }
}
