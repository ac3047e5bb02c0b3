//! HTTP fetching: the only module that touches the network.
